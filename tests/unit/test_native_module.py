import coffee
from coffee import _native
from coffee.cli import main


def test_native_core_is_importable_and_versioned():
    assert _native.__version__ == coffee.__version__


def test_cli_version(capsys):
    assert main(["version"]) == 0
    assert "native core" in capsys.readouterr().out
