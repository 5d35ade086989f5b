from ddj.cli import entry

entry()
