from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Events(_message.Message):
    __slots__ = ("header", "events")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    header: Header
    events: _containers.RepeatedCompositeFieldContainer[Event]
    def __init__(self, header: _Optional[_Union[Header, _Mapping]] = ..., events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ...) -> None: ...

class Header(_message.Message):
    __slots__ = ("sessionId", "bbDeviceId", "userId", "deviceId", "androidAdvertisingId", "clientId", "channel", "os", "clientType", "appLanguage", "appVersion", "appVersionCode", "currentURL", "merchantId", "utmReferrer", "utmPlatform", "utmSource", "utmMedium", "utmCampaign", "ppId", "sentAt")
    SESSIONID_FIELD_NUMBER: _ClassVar[int]
    BBDEVICEID_FIELD_NUMBER: _ClassVar[int]
    USERID_FIELD_NUMBER: _ClassVar[int]
    DEVICEID_FIELD_NUMBER: _ClassVar[int]
    ANDROIDADVERTISINGID_FIELD_NUMBER: _ClassVar[int]
    CLIENTID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    CLIENTTYPE_FIELD_NUMBER: _ClassVar[int]
    APPLANGUAGE_FIELD_NUMBER: _ClassVar[int]
    APPVERSION_FIELD_NUMBER: _ClassVar[int]
    APPVERSIONCODE_FIELD_NUMBER: _ClassVar[int]
    CURRENTURL_FIELD_NUMBER: _ClassVar[int]
    MERCHANTID_FIELD_NUMBER: _ClassVar[int]
    UTMREFERRER_FIELD_NUMBER: _ClassVar[int]
    UTMPLATFORM_FIELD_NUMBER: _ClassVar[int]
    UTMSOURCE_FIELD_NUMBER: _ClassVar[int]
    UTMMEDIUM_FIELD_NUMBER: _ClassVar[int]
    UTMCAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    PPID_FIELD_NUMBER: _ClassVar[int]
    SENTAT_FIELD_NUMBER: _ClassVar[int]
    sessionId: str
    bbDeviceId: int
    userId: int
    deviceId: str
    androidAdvertisingId: str
    clientId: str
    channel: str
    os: str
    clientType: str
    appLanguage: str
    appVersion: str
    appVersionCode: str
    currentURL: str
    merchantId: str
    utmReferrer: str
    utmPlatform: str
    utmSource: str
    utmMedium: str
    utmCampaign: str
    ppId: str
    sentAt: int
    def __init__(self, sessionId: _Optional[str] = ..., bbDeviceId: _Optional[int] = ..., userId: _Optional[int] = ..., deviceId: _Optional[str] = ..., androidAdvertisingId: _Optional[str] = ..., clientId: _Optional[str] = ..., channel: _Optional[str] = ..., os: _Optional[str] = ..., clientType: _Optional[str] = ..., appLanguage: _Optional[str] = ..., appVersion: _Optional[str] = ..., appVersionCode: _Optional[str] = ..., currentURL: _Optional[str] = ..., merchantId: _Optional[str] = ..., utmReferrer: _Optional[str] = ..., utmPlatform: _Optional[str] = ..., utmSource: _Optional[str] = ..., utmMedium: _Optional[str] = ..., utmCampaign: _Optional[str] = ..., ppId: _Optional[str] = ..., sentAt: _Optional[int] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("id", "timestamp", "currentURL", "name", "params", "launchEvent", "pageOpenedEvent", "pageLoadedEvent", "pageLoadFailedEvent", "widgetViewEvent", "widgetCtaClickedEvent", "widgetElementViewEvent", "widgetElementClickedEvent", "enterPWAProductPageEvent", "streamEnterEvent", "chooseProductEvent", "phoneVerificationInitiateEvent", "phoneNumberEntered", "otpVerifiedEvent", "addToCartEvent", "goToPaymentsEvent", "initiatePurchaseEvent", "completePurchaseEvent", "socialStreamEnterEvent", "socialStreamActionEvent", "enterProductEvent", "launchReferEvent", "purchaseFailedEvent", "initiateSearchEvent", "completeSearchEvent", "searchRequestComplete", "highlightScreenEnterEvent", "highlightScreenLoadedEvent", "highlightScreenErrorEvent", "highlightScreenActionEvent", "initiateReview", "enterReviewScreen", "initiateReviewMediaUpload", "submitReview", "editReview", "viewAllReviews", "expandReviewImage", "nudgeForReview", "SessionIdChangeEvent", "checkDeliveryInfoEvent", "pdpTagClickEvent", "actionBarBagCLickEvent", "pdpActionEvent", "profileActionEvent", "badgeClickEvent", "hashTagClickEvent", "whatsAppBuddyChatOpen", "headerSearchBarClick", "headerCartIconClick", "helpActionEvent", "appStartEvent", "returnExchangeFlowActionEvent", "testEvent", "notificationActionEvent", "affiliateActionEvent", "hostActionEvent")
    ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    CURRENTURL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    LAUNCHEVENT_FIELD_NUMBER: _ClassVar[int]
    PAGEOPENEDEVENT_FIELD_NUMBER: _ClassVar[int]
    PAGELOADEDEVENT_FIELD_NUMBER: _ClassVar[int]
    PAGELOADFAILEDEVENT_FIELD_NUMBER: _ClassVar[int]
    WIDGETVIEWEVENT_FIELD_NUMBER: _ClassVar[int]
    WIDGETCTACLICKEDEVENT_FIELD_NUMBER: _ClassVar[int]
    WIDGETELEMENTVIEWEVENT_FIELD_NUMBER: _ClassVar[int]
    WIDGETELEMENTCLICKEDEVENT_FIELD_NUMBER: _ClassVar[int]
    ENTERPWAPRODUCTPAGEEVENT_FIELD_NUMBER: _ClassVar[int]
    STREAMENTEREVENT_FIELD_NUMBER: _ClassVar[int]
    CHOOSEPRODUCTEVENT_FIELD_NUMBER: _ClassVar[int]
    PHONEVERIFICATIONINITIATEEVENT_FIELD_NUMBER: _ClassVar[int]
    PHONENUMBERENTERED_FIELD_NUMBER: _ClassVar[int]
    OTPVERIFIEDEVENT_FIELD_NUMBER: _ClassVar[int]
    ADDTOCARTEVENT_FIELD_NUMBER: _ClassVar[int]
    GOTOPAYMENTSEVENT_FIELD_NUMBER: _ClassVar[int]
    INITIATEPURCHASEEVENT_FIELD_NUMBER: _ClassVar[int]
    COMPLETEPURCHASEEVENT_FIELD_NUMBER: _ClassVar[int]
    SOCIALSTREAMENTEREVENT_FIELD_NUMBER: _ClassVar[int]
    SOCIALSTREAMACTIONEVENT_FIELD_NUMBER: _ClassVar[int]
    ENTERPRODUCTEVENT_FIELD_NUMBER: _ClassVar[int]
    LAUNCHREFEREVENT_FIELD_NUMBER: _ClassVar[int]
    PURCHASEFAILEDEVENT_FIELD_NUMBER: _ClassVar[int]
    INITIATESEARCHEVENT_FIELD_NUMBER: _ClassVar[int]
    COMPLETESEARCHEVENT_FIELD_NUMBER: _ClassVar[int]
    SEARCHREQUESTCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHTSCREENENTEREVENT_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHTSCREENLOADEDEVENT_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHTSCREENERROREVENT_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHTSCREENACTIONEVENT_FIELD_NUMBER: _ClassVar[int]
    INITIATEREVIEW_FIELD_NUMBER: _ClassVar[int]
    ENTERREVIEWSCREEN_FIELD_NUMBER: _ClassVar[int]
    INITIATEREVIEWMEDIAUPLOAD_FIELD_NUMBER: _ClassVar[int]
    SUBMITREVIEW_FIELD_NUMBER: _ClassVar[int]
    EDITREVIEW_FIELD_NUMBER: _ClassVar[int]
    VIEWALLREVIEWS_FIELD_NUMBER: _ClassVar[int]
    EXPANDREVIEWIMAGE_FIELD_NUMBER: _ClassVar[int]
    NUDGEFORREVIEW_FIELD_NUMBER: _ClassVar[int]
    SESSIONIDCHANGEEVENT_FIELD_NUMBER: _ClassVar[int]
    CHECKDELIVERYINFOEVENT_FIELD_NUMBER: _ClassVar[int]
    PDPTAGCLICKEVENT_FIELD_NUMBER: _ClassVar[int]
    ACTIONBARBAGCLICKEVENT_FIELD_NUMBER: _ClassVar[int]
    PDPACTIONEVENT_FIELD_NUMBER: _ClassVar[int]
    PROFILEACTIONEVENT_FIELD_NUMBER: _ClassVar[int]
    BADGECLICKEVENT_FIELD_NUMBER: _ClassVar[int]
    HASHTAGCLICKEVENT_FIELD_NUMBER: _ClassVar[int]
    WHATSAPPBUDDYCHATOPEN_FIELD_NUMBER: _ClassVar[int]
    HEADERSEARCHBARCLICK_FIELD_NUMBER: _ClassVar[int]
    HEADERCARTICONCLICK_FIELD_NUMBER: _ClassVar[int]
    HELPACTIONEVENT_FIELD_NUMBER: _ClassVar[int]
    APPSTARTEVENT_FIELD_NUMBER: _ClassVar[int]
    RETURNEXCHANGEFLOWACTIONEVENT_FIELD_NUMBER: _ClassVar[int]
    TESTEVENT_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATIONACTIONEVENT_FIELD_NUMBER: _ClassVar[int]
    AFFILIATEACTIONEVENT_FIELD_NUMBER: _ClassVar[int]
    HOSTACTIONEVENT_FIELD_NUMBER: _ClassVar[int]
    id: str
    timestamp: str
    currentURL: str
    name: str
    params: str
    launchEvent: LaunchEvent
    pageOpenedEvent: PageOpenedEvent
    pageLoadedEvent: PageLoadedEvent
    pageLoadFailedEvent: PageLoadFailedEvent
    widgetViewEvent: WidgetViewEvent
    widgetCtaClickedEvent: WidgetCtaClickedEvent
    widgetElementViewEvent: WidgetElementViewEvent
    widgetElementClickedEvent: WidgetElementClickedEvent
    enterPWAProductPageEvent: EnterPWAProductPageEvent
    streamEnterEvent: StreamEnterEvent
    chooseProductEvent: ChooseProductEvent
    phoneVerificationInitiateEvent: PhoneVerificationInitiateEvent
    phoneNumberEntered: PhoneNumberEntered
    otpVerifiedEvent: OTPVerifiedEvent
    addToCartEvent: AddToCartEvent
    goToPaymentsEvent: GoToPaymentsEvent
    initiatePurchaseEvent: InitiatePurchaseEvent
    completePurchaseEvent: CompletePurchaseEvent
    socialStreamEnterEvent: SocialStreamEnterEvent
    socialStreamActionEvent: SocialStreamActionEvent
    enterProductEvent: EnterProductEvent
    launchReferEvent: LaunchReferEvent
    purchaseFailedEvent: PurchaseFailedEvent
    initiateSearchEvent: InitiateSearchEvent
    completeSearchEvent: CompleteSearchEvent
    searchRequestComplete: SearchRequestComplete
    highlightScreenEnterEvent: HighlightScreenEnterEvent
    highlightScreenLoadedEvent: HighlightScreenLoadedEvent
    highlightScreenErrorEvent: HighlightScreenErrorEvent
    highlightScreenActionEvent: HighlightScreenActionEvent
    initiateReview: InitiateReview
    enterReviewScreen: EnterReviewScreen
    initiateReviewMediaUpload: InitiateReviewMediaUpload
    submitReview: SubmitReview
    editReview: EditReview
    viewAllReviews: ViewAllReviews
    expandReviewImage: ExpandReviewImage
    nudgeForReview: NudgeForReview
    SessionIdChangeEvent: SessionIdChangeEvent
    checkDeliveryInfoEvent: CheckDeliveryInfoEvent
    pdpTagClickEvent: PDPTagClickEvent
    actionBarBagCLickEvent: ActionBarBagCLickEvent
    pdpActionEvent: PDPActionEvent
    profileActionEvent: ProfileActionEvent
    badgeClickEvent: BadgeClickEvent
    hashTagClickEvent: HashTagClickEvent
    whatsAppBuddyChatOpen: WhatsAppBuddyChatOpen
    headerSearchBarClick: HeaderSearchBarClick
    headerCartIconClick: HeaderCartIconClick
    helpActionEvent: HelpActionEvent
    appStartEvent: AppStartEvent
    returnExchangeFlowActionEvent: ReturnExchangeFlowActionEvent
    testEvent: TestEvent
    notificationActionEvent: NotificationActionEvent
    affiliateActionEvent: AffiliateActionEvent
    hostActionEvent: HostActionEvent
    def __init__(self, id: _Optional[str] = ..., timestamp: _Optional[str] = ..., currentURL: _Optional[str] = ..., name: _Optional[str] = ..., params: _Optional[str] = ..., launchEvent: _Optional[_Union[LaunchEvent, _Mapping]] = ..., pageOpenedEvent: _Optional[_Union[PageOpenedEvent, _Mapping]] = ..., pageLoadedEvent: _Optional[_Union[PageLoadedEvent, _Mapping]] = ..., pageLoadFailedEvent: _Optional[_Union[PageLoadFailedEvent, _Mapping]] = ..., widgetViewEvent: _Optional[_Union[WidgetViewEvent, _Mapping]] = ..., widgetCtaClickedEvent: _Optional[_Union[WidgetCtaClickedEvent, _Mapping]] = ..., widgetElementViewEvent: _Optional[_Union[WidgetElementViewEvent, _Mapping]] = ..., widgetElementClickedEvent: _Optional[_Union[WidgetElementClickedEvent, _Mapping]] = ..., enterPWAProductPageEvent: _Optional[_Union[EnterPWAProductPageEvent, _Mapping]] = ..., streamEnterEvent: _Optional[_Union[StreamEnterEvent, _Mapping]] = ..., chooseProductEvent: _Optional[_Union[ChooseProductEvent, _Mapping]] = ..., phoneVerificationInitiateEvent: _Optional[_Union[PhoneVerificationInitiateEvent, _Mapping]] = ..., phoneNumberEntered: _Optional[_Union[PhoneNumberEntered, _Mapping]] = ..., otpVerifiedEvent: _Optional[_Union[OTPVerifiedEvent, _Mapping]] = ..., addToCartEvent: _Optional[_Union[AddToCartEvent, _Mapping]] = ..., goToPaymentsEvent: _Optional[_Union[GoToPaymentsEvent, _Mapping]] = ..., initiatePurchaseEvent: _Optional[_Union[InitiatePurchaseEvent, _Mapping]] = ..., completePurchaseEvent: _Optional[_Union[CompletePurchaseEvent, _Mapping]] = ..., socialStreamEnterEvent: _Optional[_Union[SocialStreamEnterEvent, _Mapping]] = ..., socialStreamActionEvent: _Optional[_Union[SocialStreamActionEvent, _Mapping]] = ..., enterProductEvent: _Optional[_Union[EnterProductEvent, _Mapping]] = ..., launchReferEvent: _Optional[_Union[LaunchReferEvent, _Mapping]] = ..., purchaseFailedEvent: _Optional[_Union[PurchaseFailedEvent, _Mapping]] = ..., initiateSearchEvent: _Optional[_Union[InitiateSearchEvent, _Mapping]] = ..., completeSearchEvent: _Optional[_Union[CompleteSearchEvent, _Mapping]] = ..., searchRequestComplete: _Optional[_Union[SearchRequestComplete, _Mapping]] = ..., highlightScreenEnterEvent: _Optional[_Union[HighlightScreenEnterEvent, _Mapping]] = ..., highlightScreenLoadedEvent: _Optional[_Union[HighlightScreenLoadedEvent, _Mapping]] = ..., highlightScreenErrorEvent: _Optional[_Union[HighlightScreenErrorEvent, _Mapping]] = ..., highlightScreenActionEvent: _Optional[_Union[HighlightScreenActionEvent, _Mapping]] = ..., initiateReview: _Optional[_Union[InitiateReview, _Mapping]] = ..., enterReviewScreen: _Optional[_Union[EnterReviewScreen, _Mapping]] = ..., initiateReviewMediaUpload: _Optional[_Union[InitiateReviewMediaUpload, _Mapping]] = ..., submitReview: _Optional[_Union[SubmitReview, _Mapping]] = ..., editReview: _Optional[_Union[EditReview, _Mapping]] = ..., viewAllReviews: _Optional[_Union[ViewAllReviews, _Mapping]] = ..., expandReviewImage: _Optional[_Union[ExpandReviewImage, _Mapping]] = ..., nudgeForReview: _Optional[_Union[NudgeForReview, _Mapping]] = ..., SessionIdChangeEvent: _Optional[_Union[SessionIdChangeEvent, _Mapping]] = ..., checkDeliveryInfoEvent: _Optional[_Union[CheckDeliveryInfoEvent, _Mapping]] = ..., pdpTagClickEvent: _Optional[_Union[PDPTagClickEvent, _Mapping]] = ..., actionBarBagCLickEvent: _Optional[_Union[ActionBarBagCLickEvent, _Mapping]] = ..., pdpActionEvent: _Optional[_Union[PDPActionEvent, _Mapping]] = ..., profileActionEvent: _Optional[_Union[ProfileActionEvent, _Mapping]] = ..., badgeClickEvent: _Optional[_Union[BadgeClickEvent, _Mapping]] = ..., hashTagClickEvent: _Optional[_Union[HashTagClickEvent, _Mapping]] = ..., whatsAppBuddyChatOpen: _Optional[_Union[WhatsAppBuddyChatOpen, _Mapping]] = ..., headerSearchBarClick: _Optional[_Union[HeaderSearchBarClick, _Mapping]] = ..., headerCartIconClick: _Optional[_Union[HeaderCartIconClick, _Mapping]] = ..., helpActionEvent: _Optional[_Union[HelpActionEvent, _Mapping]] = ..., appStartEvent: _Optional[_Union[AppStartEvent, _Mapping]] = ..., returnExchangeFlowActionEvent: _Optional[_Union[ReturnExchangeFlowActionEvent, _Mapping]] = ..., testEvent: _Optional[_Union[TestEvent, _Mapping]] = ..., notificationActionEvent: _Optional[_Union[NotificationActionEvent, _Mapping]] = ..., affiliateActionEvent: _Optional[_Union[AffiliateActionEvent, _Mapping]] = ..., hostActionEvent: _Optional[_Union[HostActionEvent, _Mapping]] = ...) -> None: ...

class Rejection(_message.Message):
    __slots__ = ("index", "eventId", "reason")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    EVENTID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    index: int
    eventId: str
    reason: str
    def __init__(self, index: _Optional[int] = ..., eventId: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class Response(_message.Message):
    __slots__ = ("status", "message", "rejections", "accepted")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    status: str
    message: str
    rejections: _containers.RepeatedCompositeFieldContainer[Rejection]
    accepted: int
    def __init__(self, status: _Optional[str] = ..., message: _Optional[str] = ..., rejections: _Optional[_Iterable[_Union[Rejection, _Mapping]]] = ..., accepted: _Optional[int] = ...) -> None: ...

class ActionBarBagCLickEvent(_message.Message):
    __slots__ = ("screen", "redDot")
    SCREEN_FIELD_NUMBER: _ClassVar[int]
    REDDOT_FIELD_NUMBER: _ClassVar[int]
    screen: str
    redDot: bool
    def __init__(self, screen: _Optional[str] = ..., redDot: _Optional[bool] = ...) -> None: ...

class AddToCartEvent(_message.Message):
    __slots__ = ("productId", "productType", "variantId", "quantity", "chargeableAmount", "checkoutId", "streamId", "isLive", "hcpId", "cartId", "checkoutType")
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTTYPE_FIELD_NUMBER: _ClassVar[int]
    VARIANTID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CHARGEABLEAMOUNT_FIELD_NUMBER: _ClassVar[int]
    CHECKOUTID_FIELD_NUMBER: _ClassVar[int]
    STREAMID_FIELD_NUMBER: _ClassVar[int]
    ISLIVE_FIELD_NUMBER: _ClassVar[int]
    HCPID_FIELD_NUMBER: _ClassVar[int]
    CARTID_FIELD_NUMBER: _ClassVar[int]
    CHECKOUTTYPE_FIELD_NUMBER: _ClassVar[int]
    productId: int
    productType: str
    variantId: int
    quantity: int
    chargeableAmount: int
    checkoutId: str
    streamId: int
    isLive: bool
    hcpId: int
    cartId: str
    checkoutType: str
    def __init__(self, productId: _Optional[int] = ..., productType: _Optional[str] = ..., variantId: _Optional[int] = ..., quantity: _Optional[int] = ..., chargeableAmount: _Optional[int] = ..., checkoutId: _Optional[str] = ..., streamId: _Optional[int] = ..., isLive: _Optional[bool] = ..., hcpId: _Optional[int] = ..., cartId: _Optional[str] = ..., checkoutType: _Optional[str] = ...) -> None: ...

class AffiliateActionEvent(_message.Message):
    __slots__ = ("action", "reason", "url")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    action: str
    reason: str
    url: str
    def __init__(self, action: _Optional[str] = ..., reason: _Optional[str] = ..., url: _Optional[str] = ...) -> None: ...

class AppStartEvent(_message.Message):
    __slots__ = ("action", "error", "isBlocking")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    ISBLOCKING_FIELD_NUMBER: _ClassVar[int]
    action: str
    error: str
    isBlocking: bool
    def __init__(self, action: _Optional[str] = ..., error: _Optional[str] = ..., isBlocking: _Optional[bool] = ...) -> None: ...

class BadgeClickEvent(_message.Message):
    __slots__ = ("name", "screen")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SCREEN_FIELD_NUMBER: _ClassVar[int]
    name: str
    screen: str
    def __init__(self, name: _Optional[str] = ..., screen: _Optional[str] = ...) -> None: ...

class CheckDeliveryInfoEvent(_message.Message):
    __slots__ = ("actionInstance", "pincode")
    ACTIONINSTANCE_FIELD_NUMBER: _ClassVar[int]
    PINCODE_FIELD_NUMBER: _ClassVar[int]
    actionInstance: str
    pincode: int
    def __init__(self, actionInstance: _Optional[str] = ..., pincode: _Optional[int] = ...) -> None: ...

class ChooseProductEvent(_message.Message):
    __slots__ = ("streamId", "streamTitle", "streamDescription", "isLive", "productIds")
    STREAMID_FIELD_NUMBER: _ClassVar[int]
    STREAMTITLE_FIELD_NUMBER: _ClassVar[int]
    STREAMDESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ISLIVE_FIELD_NUMBER: _ClassVar[int]
    PRODUCTIDS_FIELD_NUMBER: _ClassVar[int]
    streamId: int
    streamTitle: str
    streamDescription: str
    isLive: bool
    productIds: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, streamId: _Optional[int] = ..., streamTitle: _Optional[str] = ..., streamDescription: _Optional[str] = ..., isLive: _Optional[bool] = ..., productIds: _Optional[_Iterable[int]] = ...) -> None: ...

class CompletePurchaseEvent(_message.Message):
    __slots__ = ("productId", "productType", "checkoutId", "chargeableAmount", "coupon", "paymentMethod", "transactionId", "productIds", "cartId", "socialStreamIds")
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTTYPE_FIELD_NUMBER: _ClassVar[int]
    CHECKOUTID_FIELD_NUMBER: _ClassVar[int]
    CHARGEABLEAMOUNT_FIELD_NUMBER: _ClassVar[int]
    COUPON_FIELD_NUMBER: _ClassVar[int]
    PAYMENTMETHOD_FIELD_NUMBER: _ClassVar[int]
    TRANSACTIONID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTIDS_FIELD_NUMBER: _ClassVar[int]
    CARTID_FIELD_NUMBER: _ClassVar[int]
    SOCIALSTREAMIDS_FIELD_NUMBER: _ClassVar[int]
    productId: int
    productType: str
    checkoutId: str
    chargeableAmount: float
    coupon: str
    paymentMethod: str
    transactionId: str
    productIds: _containers.RepeatedScalarFieldContainer[int]
    cartId: str
    socialStreamIds: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, productId: _Optional[int] = ..., productType: _Optional[str] = ..., checkoutId: _Optional[str] = ..., chargeableAmount: _Optional[float] = ..., coupon: _Optional[str] = ..., paymentMethod: _Optional[str] = ..., transactionId: _Optional[str] = ..., productIds: _Optional[_Iterable[int]] = ..., cartId: _Optional[str] = ..., socialStreamIds: _Optional[_Iterable[int]] = ...) -> None: ...

class CompleteSearchEvent(_message.Message):
    __slots__ = ("query", "method", "actionPath")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    ACTIONPATH_FIELD_NUMBER: _ClassVar[int]
    query: str
    method: str
    actionPath: str
    def __init__(self, query: _Optional[str] = ..., method: _Optional[str] = ..., actionPath: _Optional[str] = ...) -> None: ...

class EditReview(_message.Message):
    __slots__ = ("productId", "orderId", "reviewId")
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    ORDERID_FIELD_NUMBER: _ClassVar[int]
    REVIEWID_FIELD_NUMBER: _ClassVar[int]
    productId: str
    orderId: str
    reviewId: str
    def __init__(self, productId: _Optional[str] = ..., orderId: _Optional[str] = ..., reviewId: _Optional[str] = ...) -> None: ...

class EnterPWAProductPageEvent(_message.Message):
    __slots__ = ("productId", "productType", "hcpId", "affiliateChannel", "productName")
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTTYPE_FIELD_NUMBER: _ClassVar[int]
    HCPID_FIELD_NUMBER: _ClassVar[int]
    AFFILIATECHANNEL_FIELD_NUMBER: _ClassVar[int]
    PRODUCTNAME_FIELD_NUMBER: _ClassVar[int]
    productId: int
    productType: str
    hcpId: str
    affiliateChannel: str
    productName: str
    def __init__(self, productId: _Optional[int] = ..., productType: _Optional[str] = ..., hcpId: _Optional[str] = ..., affiliateChannel: _Optional[str] = ..., productName: _Optional[str] = ...) -> None: ...

class EnterProductEvent(_message.Message):
    __slots__ = ("productId", "productType", "subCategoryId", "categoryId", "socialStreamId", "productName", "defaultSelectionOn", "isOOS", "slug", "screenState")
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTTYPE_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORYID_FIELD_NUMBER: _ClassVar[int]
    CATEGORYID_FIELD_NUMBER: _ClassVar[int]
    SOCIALSTREAMID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTNAME_FIELD_NUMBER: _ClassVar[int]
    DEFAULTSELECTIONON_FIELD_NUMBER: _ClassVar[int]
    ISOOS_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    SCREENSTATE_FIELD_NUMBER: _ClassVar[int]
    productId: int
    productType: str
    subCategoryId: str
    categoryId: str
    socialStreamId: int
    productName: str
    defaultSelectionOn: bool
    isOOS: bool
    slug: str
    screenState: str
    def __init__(self, productId: _Optional[int] = ..., productType: _Optional[str] = ..., subCategoryId: _Optional[str] = ..., categoryId: _Optional[str] = ..., socialStreamId: _Optional[int] = ..., productName: _Optional[str] = ..., defaultSelectionOn: _Optional[bool] = ..., isOOS: _Optional[bool] = ..., slug: _Optional[str] = ..., screenState: _Optional[str] = ...) -> None: ...

class EnterReviewScreen(_message.Message):
    __slots__ = ("productId", "orderId")
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    ORDERID_FIELD_NUMBER: _ClassVar[int]
    productId: str
    orderId: str
    def __init__(self, productId: _Optional[str] = ..., orderId: _Optional[str] = ...) -> None: ...

class ExpandReviewImage(_message.Message):
    __slots__ = ("componentName",)
    COMPONENTNAME_FIELD_NUMBER: _ClassVar[int]
    componentName: str
    def __init__(self, componentName: _Optional[str] = ...) -> None: ...

class GoToPaymentsEvent(_message.Message):
    __slots__ = ("productId", "checkoutId", "productType", "coupon", "chargeableAmount", "productIds", "cartId", "socialStreamIds")
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    CHECKOUTID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTTYPE_FIELD_NUMBER: _ClassVar[int]
    COUPON_FIELD_NUMBER: _ClassVar[int]
    CHARGEABLEAMOUNT_FIELD_NUMBER: _ClassVar[int]
    PRODUCTIDS_FIELD_NUMBER: _ClassVar[int]
    CARTID_FIELD_NUMBER: _ClassVar[int]
    SOCIALSTREAMIDS_FIELD_NUMBER: _ClassVar[int]
    productId: int
    checkoutId: str
    productType: str
    coupon: str
    chargeableAmount: float
    productIds: _containers.RepeatedScalarFieldContainer[int]
    cartId: str
    socialStreamIds: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, productId: _Optional[int] = ..., checkoutId: _Optional[str] = ..., productType: _Optional[str] = ..., coupon: _Optional[str] = ..., chargeableAmount: _Optional[float] = ..., productIds: _Optional[_Iterable[int]] = ..., cartId: _Optional[str] = ..., socialStreamIds: _Optional[_Iterable[int]] = ...) -> None: ...

class HashTagClickEvent(_message.Message):
    __slots__ = ("hashtag", "url", "parentId", "parentType")
    HASHTAG_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    PARENTID_FIELD_NUMBER: _ClassVar[int]
    PARENTTYPE_FIELD_NUMBER: _ClassVar[int]
    hashtag: str
    url: str
    parentId: str
    parentType: str
    def __init__(self, hashtag: _Optional[str] = ..., url: _Optional[str] = ..., parentId: _Optional[str] = ..., parentType: _Optional[str] = ...) -> None: ...

class HeaderCartIconClick(_message.Message):
    __slots__ = ("source",)
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    source: str
    def __init__(self, source: _Optional[str] = ...) -> None: ...

class HeaderSearchBarClick(_message.Message):
    __slots__ = ("source",)
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    source: str
    def __init__(self, source: _Optional[str] = ...) -> None: ...

class HelpActionEvent(_message.Message):
    __slots__ = ("source", "action")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    source: str
    action: str
    def __init__(self, source: _Optional[str] = ..., action: _Optional[str] = ...) -> None: ...

class HighlightScreenActionEvent(_message.Message):
    __slots__ = ("id", "creator", "title", "type", "visitCount", "actionType")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    VISITCOUNT_FIELD_NUMBER: _ClassVar[int]
    ACTIONTYPE_FIELD_NUMBER: _ClassVar[int]
    id: str
    creator: str
    title: str
    type: str
    visitCount: int
    actionType: str
    def __init__(self, id: _Optional[str] = ..., creator: _Optional[str] = ..., title: _Optional[str] = ..., type: _Optional[str] = ..., visitCount: _Optional[int] = ..., actionType: _Optional[str] = ...) -> None: ...

class HighlightScreenEnterEvent(_message.Message):
    __slots__ = ("id", "creator", "title", "type", "visitCount")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    VISITCOUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    creator: str
    title: str
    type: str
    visitCount: int
    def __init__(self, id: _Optional[str] = ..., creator: _Optional[str] = ..., title: _Optional[str] = ..., type: _Optional[str] = ..., visitCount: _Optional[int] = ...) -> None: ...

class HighlightScreenErrorEvent(_message.Message):
    __slots__ = ("id", "creator", "title", "type", "visitCount")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    VISITCOUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    creator: str
    title: str
    type: str
    visitCount: int
    def __init__(self, id: _Optional[str] = ..., creator: _Optional[str] = ..., title: _Optional[str] = ..., type: _Optional[str] = ..., visitCount: _Optional[int] = ...) -> None: ...

class HighlightScreenLoadedEvent(_message.Message):
    __slots__ = ("id", "creator", "title", "type", "visitCount")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    VISITCOUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    creator: str
    title: str
    type: str
    visitCount: int
    def __init__(self, id: _Optional[str] = ..., creator: _Optional[str] = ..., title: _Optional[str] = ..., type: _Optional[str] = ..., visitCount: _Optional[int] = ...) -> None: ...

class HostActionEvent(_message.Message):
    __slots__ = ("action", "hostPpid")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    HOSTPPID_FIELD_NUMBER: _ClassVar[int]
    action: str
    hostPpid: str
    def __init__(self, action: _Optional[str] = ..., hostPpid: _Optional[str] = ...) -> None: ...

class InitiatePurchaseEvent(_message.Message):
    __slots__ = ("isBag", "productId", "productType", "checkoutId", "chargeableAmount", "coupon", "paymentMethod", "productIds", "cartId", "socialStreamIds")
    ISBAG_FIELD_NUMBER: _ClassVar[int]
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTTYPE_FIELD_NUMBER: _ClassVar[int]
    CHECKOUTID_FIELD_NUMBER: _ClassVar[int]
    CHARGEABLEAMOUNT_FIELD_NUMBER: _ClassVar[int]
    COUPON_FIELD_NUMBER: _ClassVar[int]
    PAYMENTMETHOD_FIELD_NUMBER: _ClassVar[int]
    PRODUCTIDS_FIELD_NUMBER: _ClassVar[int]
    CARTID_FIELD_NUMBER: _ClassVar[int]
    SOCIALSTREAMIDS_FIELD_NUMBER: _ClassVar[int]
    isBag: bool
    productId: int
    productType: str
    checkoutId: str
    chargeableAmount: float
    coupon: str
    paymentMethod: str
    productIds: _containers.RepeatedScalarFieldContainer[int]
    cartId: str
    socialStreamIds: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, isBag: _Optional[bool] = ..., productId: _Optional[int] = ..., productType: _Optional[str] = ..., checkoutId: _Optional[str] = ..., chargeableAmount: _Optional[float] = ..., coupon: _Optional[str] = ..., paymentMethod: _Optional[str] = ..., productIds: _Optional[_Iterable[int]] = ..., cartId: _Optional[str] = ..., socialStreamIds: _Optional[_Iterable[int]] = ...) -> None: ...

class InitiateReview(_message.Message):
    __slots__ = ("productId", "orderId")
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    ORDERID_FIELD_NUMBER: _ClassVar[int]
    productId: str
    orderId: str
    def __init__(self, productId: _Optional[str] = ..., orderId: _Optional[str] = ...) -> None: ...

class InitiateReviewMediaUpload(_message.Message):
    __slots__ = ("productId", "orderId")
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    ORDERID_FIELD_NUMBER: _ClassVar[int]
    productId: str
    orderId: str
    def __init__(self, productId: _Optional[str] = ..., orderId: _Optional[str] = ...) -> None: ...

class InitiateSearchEvent(_message.Message):
    __slots__ = ("method",)
    METHOD_FIELD_NUMBER: _ClassVar[int]
    method: str
    def __init__(self, method: _Optional[str] = ...) -> None: ...

class LaunchEvent(_message.Message):
    __slots__ = ("dynamicLink", "appLaunchCount")
    DYNAMICLINK_FIELD_NUMBER: _ClassVar[int]
    APPLAUNCHCOUNT_FIELD_NUMBER: _ClassVar[int]
    dynamicLink: str
    appLaunchCount: int
    def __init__(self, dynamicLink: _Optional[str] = ..., appLaunchCount: _Optional[int] = ...) -> None: ...

class LaunchReferEvent(_message.Message):
    __slots__ = ("dynamicLink", "utmSource", "utmMedium", "utmCampaign", "deepLink", "androidDeepLink")
    DYNAMICLINK_FIELD_NUMBER: _ClassVar[int]
    UTMSOURCE_FIELD_NUMBER: _ClassVar[int]
    UTMMEDIUM_FIELD_NUMBER: _ClassVar[int]
    UTMCAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    DEEPLINK_FIELD_NUMBER: _ClassVar[int]
    ANDROIDDEEPLINK_FIELD_NUMBER: _ClassVar[int]
    dynamicLink: str
    utmSource: str
    utmMedium: str
    utmCampaign: str
    deepLink: str
    androidDeepLink: str
    def __init__(self, dynamicLink: _Optional[str] = ..., utmSource: _Optional[str] = ..., utmMedium: _Optional[str] = ..., utmCampaign: _Optional[str] = ..., deepLink: _Optional[str] = ..., androidDeepLink: _Optional[str] = ...) -> None: ...

class NotificationActionEvent(_message.Message):
    __slots__ = ("action", "deeplink", "type", "isInAppNotification", "utmMedium", "utmCampaign", "utmSource", "title", "subtitle")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    DEEPLINK_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ISINAPPNOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    UTMMEDIUM_FIELD_NUMBER: _ClassVar[int]
    UTMCAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    UTMSOURCE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_FIELD_NUMBER: _ClassVar[int]
    action: str
    deeplink: str
    type: str
    isInAppNotification: bool
    utmMedium: str
    utmCampaign: str
    utmSource: str
    title: str
    subtitle: str
    def __init__(self, action: _Optional[str] = ..., deeplink: _Optional[str] = ..., type: _Optional[str] = ..., isInAppNotification: _Optional[bool] = ..., utmMedium: _Optional[str] = ..., utmCampaign: _Optional[str] = ..., utmSource: _Optional[str] = ..., title: _Optional[str] = ..., subtitle: _Optional[str] = ...) -> None: ...

class NudgeForReview(_message.Message):
    __slots__ = ("productId", "orderId")
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    ORDERID_FIELD_NUMBER: _ClassVar[int]
    productId: str
    orderId: str
    def __init__(self, productId: _Optional[str] = ..., orderId: _Optional[str] = ...) -> None: ...

class OTPVerifiedEvent(_message.Message):
    __slots__ = ("profileName", "isNewUser", "phoneNumber", "loginFlow", "requestId")
    PROFILENAME_FIELD_NUMBER: _ClassVar[int]
    ISNEWUSER_FIELD_NUMBER: _ClassVar[int]
    PHONENUMBER_FIELD_NUMBER: _ClassVar[int]
    LOGINFLOW_FIELD_NUMBER: _ClassVar[int]
    REQUESTID_FIELD_NUMBER: _ClassVar[int]
    profileName: str
    isNewUser: bool
    phoneNumber: int
    loginFlow: str
    requestId: str
    def __init__(self, profileName: _Optional[str] = ..., isNewUser: _Optional[bool] = ..., phoneNumber: _Optional[int] = ..., loginFlow: _Optional[str] = ..., requestId: _Optional[str] = ...) -> None: ...

class PDPActionEvent(_message.Message):
    __slots__ = ("slug", "action", "productId", "productType", "subCategoryId", "categoryId", "socialStreamId", "productName", "defaultSelectionOn", "isOOS", "screenState")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTTYPE_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORYID_FIELD_NUMBER: _ClassVar[int]
    CATEGORYID_FIELD_NUMBER: _ClassVar[int]
    SOCIALSTREAMID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTNAME_FIELD_NUMBER: _ClassVar[int]
    DEFAULTSELECTIONON_FIELD_NUMBER: _ClassVar[int]
    ISOOS_FIELD_NUMBER: _ClassVar[int]
    SCREENSTATE_FIELD_NUMBER: _ClassVar[int]
    slug: str
    action: str
    productId: int
    productType: str
    subCategoryId: str
    categoryId: str
    socialStreamId: int
    productName: str
    defaultSelectionOn: bool
    isOOS: bool
    screenState: str
    def __init__(self, slug: _Optional[str] = ..., action: _Optional[str] = ..., productId: _Optional[int] = ..., productType: _Optional[str] = ..., subCategoryId: _Optional[str] = ..., categoryId: _Optional[str] = ..., socialStreamId: _Optional[int] = ..., productName: _Optional[str] = ..., defaultSelectionOn: _Optional[bool] = ..., isOOS: _Optional[bool] = ..., screenState: _Optional[str] = ...) -> None: ...

class PDPTagClickEvent(_message.Message):
    __slots__ = ("slug", "tagText", "tagId", "productId", "productType", "subCategoryId", "categoryId", "socialStreamId", "productName", "defaultSelectionOn", "isOOS", "screenState")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    TAGTEXT_FIELD_NUMBER: _ClassVar[int]
    TAGID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTTYPE_FIELD_NUMBER: _ClassVar[int]
    SUBCATEGORYID_FIELD_NUMBER: _ClassVar[int]
    CATEGORYID_FIELD_NUMBER: _ClassVar[int]
    SOCIALSTREAMID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTNAME_FIELD_NUMBER: _ClassVar[int]
    DEFAULTSELECTIONON_FIELD_NUMBER: _ClassVar[int]
    ISOOS_FIELD_NUMBER: _ClassVar[int]
    SCREENSTATE_FIELD_NUMBER: _ClassVar[int]
    slug: str
    tagText: str
    tagId: str
    productId: int
    productType: str
    subCategoryId: str
    categoryId: str
    socialStreamId: int
    productName: str
    defaultSelectionOn: bool
    isOOS: bool
    screenState: str
    def __init__(self, slug: _Optional[str] = ..., tagText: _Optional[str] = ..., tagId: _Optional[str] = ..., productId: _Optional[int] = ..., productType: _Optional[str] = ..., subCategoryId: _Optional[str] = ..., categoryId: _Optional[str] = ..., socialStreamId: _Optional[int] = ..., productName: _Optional[str] = ..., defaultSelectionOn: _Optional[bool] = ..., isOOS: _Optional[bool] = ..., screenState: _Optional[str] = ...) -> None: ...

class PageLoadFailedEvent(_message.Message):
    __slots__ = ("pageQueryId", "reason", "errorMessageShown")
    PAGEQUERYID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ERRORMESSAGESHOWN_FIELD_NUMBER: _ClassVar[int]
    pageQueryId: str
    reason: str
    errorMessageShown: str
    def __init__(self, pageQueryId: _Optional[str] = ..., reason: _Optional[str] = ..., errorMessageShown: _Optional[str] = ...) -> None: ...

class PageLoadedEvent(_message.Message):
    __slots__ = ("pageQueryId", "backendVariant", "backendSourceType", "backendSource")
    PAGEQUERYID_FIELD_NUMBER: _ClassVar[int]
    BACKENDVARIANT_FIELD_NUMBER: _ClassVar[int]
    BACKENDSOURCETYPE_FIELD_NUMBER: _ClassVar[int]
    BACKENDSOURCE_FIELD_NUMBER: _ClassVar[int]
    pageQueryId: str
    backendVariant: str
    backendSourceType: str
    backendSource: str
    def __init__(self, pageQueryId: _Optional[str] = ..., backendVariant: _Optional[str] = ..., backendSourceType: _Optional[str] = ..., backendSource: _Optional[str] = ...) -> None: ...

class PageOpenedEvent(_message.Message):
    __slots__ = ("pageQueryId",)
    PAGEQUERYID_FIELD_NUMBER: _ClassVar[int]
    pageQueryId: str
    def __init__(self, pageQueryId: _Optional[str] = ...) -> None: ...

class PhoneNumberEntered(_message.Message):
    __slots__ = ("isNewUser", "phoneNumber")
    ISNEWUSER_FIELD_NUMBER: _ClassVar[int]
    PHONENUMBER_FIELD_NUMBER: _ClassVar[int]
    isNewUser: bool
    phoneNumber: int
    def __init__(self, isNewUser: _Optional[bool] = ..., phoneNumber: _Optional[int] = ...) -> None: ...

class PhoneVerificationInitiateEvent(_message.Message):
    __slots__ = ("sourceAction", "loginFlow")
    SOURCEACTION_FIELD_NUMBER: _ClassVar[int]
    LOGINFLOW_FIELD_NUMBER: _ClassVar[int]
    sourceAction: str
    loginFlow: str
    def __init__(self, sourceAction: _Optional[str] = ..., loginFlow: _Optional[str] = ...) -> None: ...

class ProfileActionEvent(_message.Message):
    __slots__ = ("action",)
    ACTION_FIELD_NUMBER: _ClassVar[int]
    action: str
    def __init__(self, action: _Optional[str] = ...) -> None: ...

class PurchaseFailedEvent(_message.Message):
    __slots__ = ("checkoutId", "chargeableAmount", "reason", "cartId")
    CHECKOUTID_FIELD_NUMBER: _ClassVar[int]
    CHARGEABLEAMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CARTID_FIELD_NUMBER: _ClassVar[int]
    checkoutId: str
    chargeableAmount: float
    reason: str
    cartId: str
    def __init__(self, checkoutId: _Optional[str] = ..., chargeableAmount: _Optional[float] = ..., reason: _Optional[str] = ..., cartId: _Optional[str] = ...) -> None: ...

class RecoInfo(_message.Message):
    __slots__ = ("model", "personaType", "personaValue", "bucketLabel", "recoInfoKV")
    class RecoInfoKVEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PERSONATYPE_FIELD_NUMBER: _ClassVar[int]
    PERSONAVALUE_FIELD_NUMBER: _ClassVar[int]
    BUCKETLABEL_FIELD_NUMBER: _ClassVar[int]
    RECOINFOKV_FIELD_NUMBER: _ClassVar[int]
    model: str
    personaType: str
    personaValue: str
    bucketLabel: str
    recoInfoKV: _containers.ScalarMap[str, str]
    def __init__(self, model: _Optional[str] = ..., personaType: _Optional[str] = ..., personaValue: _Optional[str] = ..., bucketLabel: _Optional[str] = ..., recoInfoKV: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ReturnExchangeFlowActionEvent(_message.Message):
    __slots__ = ("type", "action", "step", "existingAccountCount", "reason")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    EXISTINGACCOUNTCOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    type: str
    action: str
    step: int
    existingAccountCount: int
    reason: str
    def __init__(self, type: _Optional[str] = ..., action: _Optional[str] = ..., step: _Optional[int] = ..., existingAccountCount: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class SearchRequestComplete(_message.Message):
    __slots__ = ("query", "responseCount", "method")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    RESPONSECOUNT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    query: str
    responseCount: int
    method: str
    def __init__(self, query: _Optional[str] = ..., responseCount: _Optional[int] = ..., method: _Optional[str] = ...) -> None: ...

class SessionIdChangeEvent(_message.Message):
    __slots__ = ("oldSessionId", "newSessionId")
    OLDSESSIONID_FIELD_NUMBER: _ClassVar[int]
    NEWSESSIONID_FIELD_NUMBER: _ClassVar[int]
    oldSessionId: str
    newSessionId: str
    def __init__(self, oldSessionId: _Optional[str] = ..., newSessionId: _Optional[str] = ...) -> None: ...

class SocialStreamActionEvent(_message.Message):
    __slots__ = ("socialStreamId", "actionType", "hostProfileType", "title", "socialNetwork", "videoOrientation", "timeElapsed", "streamingMode", "totalVideoDuration")
    SOCIALSTREAMID_FIELD_NUMBER: _ClassVar[int]
    ACTIONTYPE_FIELD_NUMBER: _ClassVar[int]
    HOSTPROFILETYPE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOCIALNETWORK_FIELD_NUMBER: _ClassVar[int]
    VIDEOORIENTATION_FIELD_NUMBER: _ClassVar[int]
    TIMEELAPSED_FIELD_NUMBER: _ClassVar[int]
    STREAMINGMODE_FIELD_NUMBER: _ClassVar[int]
    TOTALVIDEODURATION_FIELD_NUMBER: _ClassVar[int]
    socialStreamId: int
    actionType: str
    hostProfileType: str
    title: str
    socialNetwork: str
    videoOrientation: str
    timeElapsed: int
    streamingMode: str
    totalVideoDuration: int
    def __init__(self, socialStreamId: _Optional[int] = ..., actionType: _Optional[str] = ..., hostProfileType: _Optional[str] = ..., title: _Optional[str] = ..., socialNetwork: _Optional[str] = ..., videoOrientation: _Optional[str] = ..., timeElapsed: _Optional[int] = ..., streamingMode: _Optional[str] = ..., totalVideoDuration: _Optional[int] = ...) -> None: ...

class SocialStreamEnterEvent(_message.Message):
    __slots__ = ("socialStreamId", "title", "hostProfileType", "socialNetwork", "videoOrientation", "streamingMode", "numberOfHashTags", "likeCount", "orderOnlyOnWhatsapp")
    SOCIALSTREAMID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    HOSTPROFILETYPE_FIELD_NUMBER: _ClassVar[int]
    SOCIALNETWORK_FIELD_NUMBER: _ClassVar[int]
    VIDEOORIENTATION_FIELD_NUMBER: _ClassVar[int]
    STREAMINGMODE_FIELD_NUMBER: _ClassVar[int]
    NUMBEROFHASHTAGS_FIELD_NUMBER: _ClassVar[int]
    LIKECOUNT_FIELD_NUMBER: _ClassVar[int]
    ORDERONLYONWHATSAPP_FIELD_NUMBER: _ClassVar[int]
    socialStreamId: int
    title: str
    hostProfileType: str
    socialNetwork: str
    videoOrientation: str
    streamingMode: str
    numberOfHashTags: int
    likeCount: int
    orderOnlyOnWhatsapp: bool
    def __init__(self, socialStreamId: _Optional[int] = ..., title: _Optional[str] = ..., hostProfileType: _Optional[str] = ..., socialNetwork: _Optional[str] = ..., videoOrientation: _Optional[str] = ..., streamingMode: _Optional[str] = ..., numberOfHashTags: _Optional[int] = ..., likeCount: _Optional[int] = ..., orderOnlyOnWhatsapp: _Optional[bool] = ...) -> None: ...

class StreamEnterEvent(_message.Message):
    __slots__ = ("streamId", "streamTitle", "streamDescription", "isLive", "productIds", "sourceURL", "sourceComponent")
    STREAMID_FIELD_NUMBER: _ClassVar[int]
    STREAMTITLE_FIELD_NUMBER: _ClassVar[int]
    STREAMDESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ISLIVE_FIELD_NUMBER: _ClassVar[int]
    PRODUCTIDS_FIELD_NUMBER: _ClassVar[int]
    SOURCEURL_FIELD_NUMBER: _ClassVar[int]
    SOURCECOMPONENT_FIELD_NUMBER: _ClassVar[int]
    streamId: int
    streamTitle: str
    streamDescription: str
    isLive: bool
    productIds: _containers.RepeatedScalarFieldContainer[int]
    sourceURL: str
    sourceComponent: str
    def __init__(self, streamId: _Optional[int] = ..., streamTitle: _Optional[str] = ..., streamDescription: _Optional[str] = ..., isLive: _Optional[bool] = ..., productIds: _Optional[_Iterable[int]] = ..., sourceURL: _Optional[str] = ..., sourceComponent: _Optional[str] = ...) -> None: ...

class SubmitReview(_message.Message):
    __slots__ = ("rating", "reviewText0", "reviewText1", "mediaCountUploaded")
    RATING_FIELD_NUMBER: _ClassVar[int]
    REVIEWTEXT0_FIELD_NUMBER: _ClassVar[int]
    REVIEWTEXT1_FIELD_NUMBER: _ClassVar[int]
    MEDIACOUNTUPLOADED_FIELD_NUMBER: _ClassVar[int]
    rating: str
    reviewText0: str
    reviewText1: str
    mediaCountUploaded: bool
    def __init__(self, rating: _Optional[str] = ..., reviewText0: _Optional[str] = ..., reviewText1: _Optional[str] = ..., mediaCountUploaded: _Optional[bool] = ...) -> None: ...

class TestEvent(_message.Message):
    __slots__ = ("testParam1", "testParam2")
    TESTPARAM1_FIELD_NUMBER: _ClassVar[int]
    TESTPARAM2_FIELD_NUMBER: _ClassVar[int]
    testParam1: str
    testParam2: int
    def __init__(self, testParam1: _Optional[str] = ..., testParam2: _Optional[int] = ...) -> None: ...

class ViewAllReviews(_message.Message):
    __slots__ = ("productId",)
    PRODUCTID_FIELD_NUMBER: _ClassVar[int]
    productId: str
    def __init__(self, productId: _Optional[str] = ...) -> None: ...

class WhatsAppBuddyChatOpen(_message.Message):
    __slots__ = ("source",)
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    source: str
    def __init__(self, source: _Optional[str] = ...) -> None: ...

class WidgetCtaClickedEvent(_message.Message):
    __slots__ = ("variantName", "widgetType", "elementCount", "pageSlot", "widgetId", "recoInfo", "title", "subTitle", "label", "actionLink", "elementType", "ctaText", "source", "sourceIdentifier", "pageSlug", "widgetDataId", "headerVariantName", "footerVariantName", "recoInfoKV", "pageNo", "isAffiliateProduct", "affiliatePartnerName", "query")
    class RecoInfoKVEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    WIDGETTYPE_FIELD_NUMBER: _ClassVar[int]
    ELEMENTCOUNT_FIELD_NUMBER: _ClassVar[int]
    PAGESLOT_FIELD_NUMBER: _ClassVar[int]
    WIDGETID_FIELD_NUMBER: _ClassVar[int]
    RECOINFO_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    ACTIONLINK_FIELD_NUMBER: _ClassVar[int]
    ELEMENTTYPE_FIELD_NUMBER: _ClassVar[int]
    CTATEXT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCEIDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PAGESLUG_FIELD_NUMBER: _ClassVar[int]
    WIDGETDATAID_FIELD_NUMBER: _ClassVar[int]
    HEADERVARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    FOOTERVARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    RECOINFOKV_FIELD_NUMBER: _ClassVar[int]
    PAGENO_FIELD_NUMBER: _ClassVar[int]
    ISAFFILIATEPRODUCT_FIELD_NUMBER: _ClassVar[int]
    AFFILIATEPARTNERNAME_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    variantName: str
    widgetType: str
    elementCount: int
    pageSlot: int
    widgetId: str
    recoInfo: RecoInfo
    title: str
    subTitle: str
    label: str
    actionLink: str
    elementType: str
    ctaText: str
    source: str
    sourceIdentifier: str
    pageSlug: str
    widgetDataId: str
    headerVariantName: str
    footerVariantName: str
    recoInfoKV: _containers.ScalarMap[str, str]
    pageNo: int
    isAffiliateProduct: bool
    affiliatePartnerName: str
    query: str
    def __init__(self, variantName: _Optional[str] = ..., widgetType: _Optional[str] = ..., elementCount: _Optional[int] = ..., pageSlot: _Optional[int] = ..., widgetId: _Optional[str] = ..., recoInfo: _Optional[_Union[RecoInfo, _Mapping]] = ..., title: _Optional[str] = ..., subTitle: _Optional[str] = ..., label: _Optional[str] = ..., actionLink: _Optional[str] = ..., elementType: _Optional[str] = ..., ctaText: _Optional[str] = ..., source: _Optional[str] = ..., sourceIdentifier: _Optional[str] = ..., pageSlug: _Optional[str] = ..., widgetDataId: _Optional[str] = ..., headerVariantName: _Optional[str] = ..., footerVariantName: _Optional[str] = ..., recoInfoKV: _Optional[_Mapping[str, str]] = ..., pageNo: _Optional[int] = ..., isAffiliateProduct: _Optional[bool] = ..., affiliatePartnerName: _Optional[str] = ..., query: _Optional[str] = ...) -> None: ...

class WidgetElementClickedEvent(_message.Message):
    __slots__ = ("variantName", "widgetType", "elementCount", "pageSlot", "widgetId", "position", "recoInfo", "title", "subTitle", "label", "elementId", "elementType", "fomoText", "price", "source", "sourceIdentifier", "headerVariantName", "footerVariantName", "productType", "pageSlug", "parentRecoInfoKV", "widgetDataId", "recoInfoKV", "pageNo", "isAffiliateProduct", "affiliatePartnerName", "query", "isOOS")
    class ParentRecoInfoKVEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class RecoInfoKVEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    WIDGETTYPE_FIELD_NUMBER: _ClassVar[int]
    ELEMENTCOUNT_FIELD_NUMBER: _ClassVar[int]
    PAGESLOT_FIELD_NUMBER: _ClassVar[int]
    WIDGETID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    RECOINFO_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    ELEMENTID_FIELD_NUMBER: _ClassVar[int]
    ELEMENTTYPE_FIELD_NUMBER: _ClassVar[int]
    FOMOTEXT_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCEIDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    HEADERVARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    FOOTERVARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    PRODUCTTYPE_FIELD_NUMBER: _ClassVar[int]
    PAGESLUG_FIELD_NUMBER: _ClassVar[int]
    PARENTRECOINFOKV_FIELD_NUMBER: _ClassVar[int]
    WIDGETDATAID_FIELD_NUMBER: _ClassVar[int]
    RECOINFOKV_FIELD_NUMBER: _ClassVar[int]
    PAGENO_FIELD_NUMBER: _ClassVar[int]
    ISAFFILIATEPRODUCT_FIELD_NUMBER: _ClassVar[int]
    AFFILIATEPARTNERNAME_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ISOOS_FIELD_NUMBER: _ClassVar[int]
    variantName: str
    widgetType: str
    elementCount: int
    pageSlot: int
    widgetId: str
    position: int
    recoInfo: RecoInfo
    title: str
    subTitle: str
    label: str
    elementId: str
    elementType: str
    fomoText: str
    price: float
    source: str
    sourceIdentifier: str
    headerVariantName: str
    footerVariantName: str
    productType: str
    pageSlug: str
    parentRecoInfoKV: _containers.ScalarMap[str, str]
    widgetDataId: str
    recoInfoKV: _containers.ScalarMap[str, str]
    pageNo: int
    isAffiliateProduct: bool
    affiliatePartnerName: str
    query: str
    isOOS: bool
    def __init__(self, variantName: _Optional[str] = ..., widgetType: _Optional[str] = ..., elementCount: _Optional[int] = ..., pageSlot: _Optional[int] = ..., widgetId: _Optional[str] = ..., position: _Optional[int] = ..., recoInfo: _Optional[_Union[RecoInfo, _Mapping]] = ..., title: _Optional[str] = ..., subTitle: _Optional[str] = ..., label: _Optional[str] = ..., elementId: _Optional[str] = ..., elementType: _Optional[str] = ..., fomoText: _Optional[str] = ..., price: _Optional[float] = ..., source: _Optional[str] = ..., sourceIdentifier: _Optional[str] = ..., headerVariantName: _Optional[str] = ..., footerVariantName: _Optional[str] = ..., productType: _Optional[str] = ..., pageSlug: _Optional[str] = ..., parentRecoInfoKV: _Optional[_Mapping[str, str]] = ..., widgetDataId: _Optional[str] = ..., recoInfoKV: _Optional[_Mapping[str, str]] = ..., pageNo: _Optional[int] = ..., isAffiliateProduct: _Optional[bool] = ..., affiliatePartnerName: _Optional[str] = ..., query: _Optional[str] = ..., isOOS: _Optional[bool] = ...) -> None: ...

class WidgetElementViewEvent(_message.Message):
    __slots__ = ("variantName", "widgetType", "elementCount", "pageSlot", "widgetId", "position", "recoInfo", "title", "subTitle", "label", "elementId", "elementType", "fomoText", "price", "source", "sourceIdentifier", "headerVariantName", "footerVariantName", "productType", "pageSlug", "parentRecoInfoKV", "widgetDataId", "recoInfoKV", "pageNo", "isAffiliateProduct", "affiliatePartnerName", "query", "isOOS")
    class ParentRecoInfoKVEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class RecoInfoKVEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    WIDGETTYPE_FIELD_NUMBER: _ClassVar[int]
    ELEMENTCOUNT_FIELD_NUMBER: _ClassVar[int]
    PAGESLOT_FIELD_NUMBER: _ClassVar[int]
    WIDGETID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    RECOINFO_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    ELEMENTID_FIELD_NUMBER: _ClassVar[int]
    ELEMENTTYPE_FIELD_NUMBER: _ClassVar[int]
    FOMOTEXT_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCEIDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    HEADERVARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    FOOTERVARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    PRODUCTTYPE_FIELD_NUMBER: _ClassVar[int]
    PAGESLUG_FIELD_NUMBER: _ClassVar[int]
    PARENTRECOINFOKV_FIELD_NUMBER: _ClassVar[int]
    WIDGETDATAID_FIELD_NUMBER: _ClassVar[int]
    RECOINFOKV_FIELD_NUMBER: _ClassVar[int]
    PAGENO_FIELD_NUMBER: _ClassVar[int]
    ISAFFILIATEPRODUCT_FIELD_NUMBER: _ClassVar[int]
    AFFILIATEPARTNERNAME_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ISOOS_FIELD_NUMBER: _ClassVar[int]
    variantName: str
    widgetType: str
    elementCount: int
    pageSlot: int
    widgetId: str
    position: int
    recoInfo: RecoInfo
    title: str
    subTitle: str
    label: str
    elementId: str
    elementType: str
    fomoText: str
    price: float
    source: str
    sourceIdentifier: str
    headerVariantName: str
    footerVariantName: str
    productType: str
    pageSlug: str
    parentRecoInfoKV: _containers.ScalarMap[str, str]
    widgetDataId: str
    recoInfoKV: _containers.ScalarMap[str, str]
    pageNo: int
    isAffiliateProduct: bool
    affiliatePartnerName: str
    query: str
    isOOS: bool
    def __init__(self, variantName: _Optional[str] = ..., widgetType: _Optional[str] = ..., elementCount: _Optional[int] = ..., pageSlot: _Optional[int] = ..., widgetId: _Optional[str] = ..., position: _Optional[int] = ..., recoInfo: _Optional[_Union[RecoInfo, _Mapping]] = ..., title: _Optional[str] = ..., subTitle: _Optional[str] = ..., label: _Optional[str] = ..., elementId: _Optional[str] = ..., elementType: _Optional[str] = ..., fomoText: _Optional[str] = ..., price: _Optional[float] = ..., source: _Optional[str] = ..., sourceIdentifier: _Optional[str] = ..., headerVariantName: _Optional[str] = ..., footerVariantName: _Optional[str] = ..., productType: _Optional[str] = ..., pageSlug: _Optional[str] = ..., parentRecoInfoKV: _Optional[_Mapping[str, str]] = ..., widgetDataId: _Optional[str] = ..., recoInfoKV: _Optional[_Mapping[str, str]] = ..., pageNo: _Optional[int] = ..., isAffiliateProduct: _Optional[bool] = ..., affiliatePartnerName: _Optional[str] = ..., query: _Optional[str] = ..., isOOS: _Optional[bool] = ...) -> None: ...

class WidgetViewEvent(_message.Message):
    __slots__ = ("variantName", "widgetType", "elementCount", "pageSlot", "widgetId", "recoInfo", "title", "subTitle", "label", "elementType", "hasCTA", "source", "sourceIdentifier", "pageSlug", "widgetDataId", "headerVariantName", "footerVariantName", "recoInfoKV", "pageNo", "isAffiliateProduct", "affiliatePartnerName", "query", "position")
    class RecoInfoKVEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    WIDGETTYPE_FIELD_NUMBER: _ClassVar[int]
    ELEMENTCOUNT_FIELD_NUMBER: _ClassVar[int]
    PAGESLOT_FIELD_NUMBER: _ClassVar[int]
    WIDGETID_FIELD_NUMBER: _ClassVar[int]
    RECOINFO_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    ELEMENTTYPE_FIELD_NUMBER: _ClassVar[int]
    HASCTA_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCEIDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PAGESLUG_FIELD_NUMBER: _ClassVar[int]
    WIDGETDATAID_FIELD_NUMBER: _ClassVar[int]
    HEADERVARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    FOOTERVARIANTNAME_FIELD_NUMBER: _ClassVar[int]
    RECOINFOKV_FIELD_NUMBER: _ClassVar[int]
    PAGENO_FIELD_NUMBER: _ClassVar[int]
    ISAFFILIATEPRODUCT_FIELD_NUMBER: _ClassVar[int]
    AFFILIATEPARTNERNAME_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    variantName: str
    widgetType: str
    elementCount: int
    pageSlot: int
    widgetId: str
    recoInfo: RecoInfo
    title: str
    subTitle: str
    label: str
    elementType: str
    hasCTA: bool
    source: str
    sourceIdentifier: str
    pageSlug: str
    widgetDataId: str
    headerVariantName: str
    footerVariantName: str
    recoInfoKV: _containers.ScalarMap[str, str]
    pageNo: int
    isAffiliateProduct: bool
    affiliatePartnerName: str
    query: str
    position: int
    def __init__(self, variantName: _Optional[str] = ..., widgetType: _Optional[str] = ..., elementCount: _Optional[int] = ..., pageSlot: _Optional[int] = ..., widgetId: _Optional[str] = ..., recoInfo: _Optional[_Union[RecoInfo, _Mapping]] = ..., title: _Optional[str] = ..., subTitle: _Optional[str] = ..., label: _Optional[str] = ..., elementType: _Optional[str] = ..., hasCTA: _Optional[bool] = ..., source: _Optional[str] = ..., sourceIdentifier: _Optional[str] = ..., pageSlug: _Optional[str] = ..., widgetDataId: _Optional[str] = ..., headerVariantName: _Optional[str] = ..., footerVariantName: _Optional[str] = ..., recoInfoKV: _Optional[_Mapping[str, str]] = ..., pageNo: _Optional[int] = ..., isAffiliateProduct: _Optional[bool] = ..., affiliatePartnerName: _Optional[str] = ..., query: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...
