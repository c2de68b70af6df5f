# A Python plugin as a WASI 0.2 component (componentize-py): reads /config, writes /output, and
# shows that everything else is out of reach. Run with /config and /output preopened.
import os

import wit_world


class WitWorld(wit_world.WitWorld):
    pass


def attempt(label, action):
    try:
        action()
        print(f"{label}: ok")
    except OSError as error:
        print(f"{label}: {type(error).__name__} errno={error.errno}")


class Run:
    def run(self) -> None:
        with open("/config/settings.toml") as settings:
            text = settings.read()
        names = sorted(os.listdir("/config"))
        with open("/output/report.txt", "w") as report:
            report.write(f"settings: {len(text)} characters\n")
            report.write(f"config holds: {', '.join(names)}\n")
            report.write(text.upper())
        print(f"read {len(text)} characters from /config/settings.toml; /config holds {names}")
        print(f"wrote {os.stat('/output/report.txt').st_size} bytes to /output/report.txt")
        attempt("open /etc/passwd", lambda: open("/etc/passwd").close())
        attempt("open /config/../../etc/passwd", lambda: open("/config/../../etc/passwd").close())
        attempt("list /", lambda: os.listdir("/"))
