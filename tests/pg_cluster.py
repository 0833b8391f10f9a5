"""A throwaway PostgreSQL cluster on loopback that a test can stop and start (to
simulate an outage). Needs PostgreSQL's server binaries (the `postgresql` Debian
package); as root, the cluster runs as the `postgres` user."""
import glob
import os
import shutil
import subprocess
import tempfile

from tests.mail_server import free_port


def _binary(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    assert found[-1], f"PostgreSQL's {name} is needed for this test (apt-get install postgresql)"
    return found[-1]


class Cluster:
    def __init__(self):
        # Not under pytest's tmp_path: the postgres user cannot enter root's private directories.
        self.directory = tempfile.mkdtemp(prefix="fgc-pg-")
        self.data = os.path.join(self.directory, "data")
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args):
        command = [_binary(args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode:
            raise subprocess.CalledProcessError(result.returncode, command, result.stdout, result.stderr)

    def create(self):
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        return self

    def start(self):
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.directory, "log"), "-w", "-t", "30",
                  "-o", f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                        f"-c unix_socket_directories={self.directory} -c fsync=off", "start")

    def stop(self):
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop")

    def destroy(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # it was not running
        shutil.rmtree(self.directory, ignore_errors=True)
