"""A throwaway PostgreSQL 15 cluster on 127.0.0.1 for the tests and the benchmarks, with the
lake's catalog database made by the deployment's own seed/initdb/lake.sql.

Debian's server binaries; initdb refuses to run as root, so as root the cluster runs as the
`postgres` user in a directory it owns. Loads the deployment's own source schema and seed
(seed/initdb/) and creates the read-only replication role the way 20-source.sh does.
"""

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from dagster_etl_lake.settings import READER, WRITER, LakeSettings

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
SEED_DIR = Path(__file__).resolve().parents[3] / "seed" / "initdb"  # the deployment's own init files


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalPostgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="replication-pg-"))
        self.port = free_port()
        self.admin_password = secrets.token_urlsafe(16)
        self.lake_passwords = {WRITER: secrets.token_urlsafe(16), READER: secrets.token_urlsafe(16)}
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [*(["runuser", "-u", "postgres", "--"] if self._as_postgres else []), *args]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> "LocalPostgres":
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.admin_password + "\n")
        if self._as_postgres:
            shutil.chown(pwfile, "postgres", "postgres")
        data = self.root / "data"
        self._run(
            str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", f"--pwfile={pwfile}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
        )
        # Durability settings off: a test cluster is thrown away, and this keeps it quick.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                  "-l", str(self.root / "log"), "start")
        return self

    def stop(self) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def connect(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", password=self.admin_password,
            dbname=dbname, autocommit=True, **kwargs,
        )

    def create_source(self, dbname: str, *, seed: bool = True, template: str | None = None) -> None:
        """The source database: the seed's schema and rows, or a copy of `template`."""
        with self.connect() as conn:
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname))
            if template:
                create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(create)
        if template:
            return
        with self.connect(dbname) as conn:
            conn.execute((SEED_DIR / "source-schema.sql").read_text())
            if seed:
                try:
                    conn.execute((SEED_DIR / "source-seed.sql").read_text())
                except psycopg.Error as error:
                    raise RuntimeError(f"{SEED_DIR / 'source-seed.sql'} does not load: {error}") from error

    def create_replication_role(self, dbname: str, user: str, password: str) -> None:
        """What seed/initdb/20-source.sh grants: SELECT on schema data, read-only sessions."""
        ident, db = sql.Identifier(user), sql.Identifier(dbname)
        with self.connect(dbname) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password)))
            for statement in (
                "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                "GRANT CONNECT ON DATABASE {db} TO {user}",
                "GRANT USAGE ON SCHEMA data TO {user}",
                "GRANT SELECT ON ALL TABLES IN SCHEMA data TO {user}",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA data GRANT SELECT ON TABLES TO {user}",
                "ALTER ROLE {user} SET default_transaction_read_only = on",
            ):
                conn.execute(sql.SQL(statement).format(db=db, user=ident))

    def create_lake(self, data_path: Path, dbname: str = "lake") -> "LocalLake":
        """A catalog database and the lake's two roles, as seed/initdb/lake.sql makes them (the
        roles once per cluster), and the lake's settings with a password file for both roles."""
        env = {**os.environ, "PGPASSWORD": self.admin_password}
        variables = {"dbname": dbname, "writer": WRITER, "writer_password": self.lake_passwords[WRITER],
                     "reader": READER, "reader_password": self.lake_passwords[READER]}
        psql_variables = [arg for item in variables.items() for arg in ("-v", "=".join(item))]
        subprocess.run(
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", "postgres", "-v", "ON_ERROR_STOP=1", "--quiet", *psql_variables,
             "-f", str(SEED_DIR / "lake.sql")],
            check=True, capture_output=True, text=True, env=env,
        )
        pgpass = self.root / "lake.pgpass"
        pgpass.write_text("".join(f"*:*:*:{user}:{password}\n"
                                  for user, password in self.lake_passwords.items()))
        pgpass.chmod(0o600)
        settings = LakeSettings(
            catalog_type="postgres",
            catalog=f"host=127.0.0.1 port={self.port} dbname={dbname} user={WRITER}",
            data_path=str(data_path).rstrip("/") + "/",
        )
        return LocalLake(settings=settings, pgpass=pgpass)


@dataclass(frozen=True)
class LocalLake:
    settings: LakeSettings  # as the writer
    pgpass: Path  # PGPASSFILE for both roles

    def env(self) -> dict[str, str]:
        """The variables a process of the deployment gets for this lake (as the writer)."""
        return {"LAKE_CATALOG_TYPE": "postgres", "LAKE_CATALOG": self.settings.catalog,
                "LAKE_DATA_PATH": self.settings.data_path, "PGPASSFILE": str(self.pgpass)}


class LocalS3:
    """moto's S3 server on 127.0.0.1 (moto[server] installed beside the tests)."""

    KEY_ID, SECRET = "dagster-etl-test", "dagster-etl-test-secret"

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: subprocess.Popen | None = None

    def start(self) -> "LocalS3":
        import sys
        import time

        self._server = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError as error:
                if self._server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from error
                time.sleep(0.2)

    def stop(self) -> None:
        if self._server:
            self._server.terminate()
            self._server.wait(timeout=30)

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id=self.KEY_ID,
                            aws_secret_access_key=self.SECRET, region_name="us-east-1")

    def create_bucket(self, prefix: str = "bucket") -> str:
        import time

        name = f"{prefix}-{time.monotonic_ns()}"
        self.client().create_bucket(Bucket=name)
        return name

    def env(self) -> dict[str, str]:
        return {"S3_ENDPOINT_URL": self.url, "S3_ACCESS_KEY_ID": self.KEY_ID,
                "S3_SECRET_ACCESS_KEY": self.SECRET, "S3_REGION": "us-east-1"}
