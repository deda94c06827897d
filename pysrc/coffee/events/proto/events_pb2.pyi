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
    __slots__ = ("id", "timestamp", "currentURL", "name", "params", "launchEvent", "pageOpenedEvent")
    ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    CURRENTURL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    LAUNCHEVENT_FIELD_NUMBER: _ClassVar[int]
    PAGEOPENEDEVENT_FIELD_NUMBER: _ClassVar[int]
    id: str
    timestamp: str
    currentURL: str
    name: str
    params: str
    launchEvent: bytes
    pageOpenedEvent: bytes
    def __init__(self, id: _Optional[str] = ..., timestamp: _Optional[str] = ..., currentURL: _Optional[str] = ..., name: _Optional[str] = ..., params: _Optional[str] = ..., launchEvent: _Optional[bytes] = ..., pageOpenedEvent: _Optional[bytes] = ...) -> None: ...

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
