-- The warehouse's catalog: database `lake` (dbname), owned by the writer role the pipelines use; the
-- reader role may only read it. DuckLake creates its catalog tables on the first ATTACH (the init
-- service's), as the writer, so the default privileges below cover every one of them.
-- Safe to run again (a cluster of an earlier release gets it at its first start).
-- psql variables: dbname (lake), writer, writer_password, reader, reader_password.
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'writer', :'writer_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'writer') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'reader', :'reader_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'reader') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'dbname', :'writer')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'dbname') \gexec
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"dbname" TO :"reader";
ALTER ROLE :"reader" SET default_transaction_read_only = on;
\connect :dbname
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT ALL ON SCHEMA public TO :"writer";
GRANT USAGE ON SCHEMA public TO :"reader";
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"reader";
ALTER DEFAULT PRIVILEGES FOR ROLE :"writer" IN SCHEMA public GRANT SELECT ON TABLES TO :"reader";
