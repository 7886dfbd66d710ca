"""What the dagster/dagster Helm chart (1.13.27) makes of values.yaml, for the parts we check offline.

No `helm` binary or chart archive is reachable here, so this follows the chart's templates by
hand: templates/configmap-instance.yaml with its helpers/instance/*.tpl (the daemon's dagster.yaml),
templates/configmap-workspace.yaml (the webserver's workspace.yaml) and the user-deployments
subchart's deployment-user.yaml (the code server's command). Only the branches values.yaml takes are
followed; anything else raises, so a values change that needs another branch shows up here.
"""

from typing import Any

RELEASE = "dagster"  # `helm install dagster ...`: the chart's fullname is then "dagster"
NAMESPACE = "dagster-etl"


def _absent(value: Any) -> bool:
    # The chart's `kindIs "invalid"`: only a missing/null value is absent, 0 and false are not.
    return value is None


def _postgres(values: dict) -> dict:
    pg = values["postgresql"]
    if pg["enabled"]:
        raise NotImplementedError("values.yaml uses an external Postgres (postgresql.enabled: false)")
    config = {
        "postgres_db": {
            "username": pg["postgresqlUsername"],
            "password": {"env": "DAGSTER_PG_PASSWORD"},
            "hostname": pg["postgresqlHost"],
            "db_name": pg["postgresqlDatabase"],
            "port": pg["service"]["port"],
            "params": pg.get("postgresqlParams") or {},
        }
    }
    if pg.get("postgresqlScheme"):
        config["postgres_db"]["scheme"] = pg["postgresqlScheme"]
    return config


def _names(refs: list[dict] | None) -> list[str]:
    return [ref["name"] for ref in refs or [] if "name" in ref]


def _run_launcher(values: dict) -> dict:
    launcher = values["runLauncher"]
    if launcher["type"] != "K8sRunLauncher":
        raise NotImplementedError(launcher["type"])
    k8s = launcher["config"]["k8sRunLauncher"]
    config: dict[str, Any] = {
        "load_incluster_config": k8s.get("loadInclusterConfig"),
        "job_namespace": k8s.get("jobNamespace") or NAMESPACE,
        "image_pull_policy": k8s.get("imagePullPolicy"),
        "service_account_name": values["global"].get("serviceAccountName") or RELEASE,
        "dagster_home": values["global"]["dagsterHome"],
        "instance_config_map": f"{RELEASE}-instance",
        "postgres_password_secret": values["global"]["postgresqlSecretName"],
    }
    if k8s.get("kubeconfigFile"):
        config["kubeconfig_file"] = k8s["kubeconfigFile"]
    if "image" in k8s:
        raise NotImplementedError("runs take their code location's image; no runLauncher image")
    optional = {
        "env_config_maps": _names(k8s.get("envConfigMaps")),
        "env_secrets": _names(k8s.get("envSecrets")),
        "env_vars": k8s.get("envVars"),
        "volume_mounts": k8s.get("volumeMounts"),
        "volumes": k8s.get("volumes"),
        "labels": k8s.get("labels"),
        "resources": k8s.get("resources"),
        "scheduler_name": k8s.get("schedulerName"),
        "security_context": k8s.get("securityContext"),
    }
    config.update({key: value for key, value in optional.items() if value})
    if k8s.get("failPodOnRunFailure"):
        config["fail_pod_on_run_failure"] = True
    run_k8s = k8s.get("runK8sConfig") or {}
    run_k8s_keys = {
        "containerConfig": "container_config",
        "podSpecConfig": "pod_spec_config",
        "podTemplateSpecMetadata": "pod_template_spec_metadata",
        "jobSpecConfig": "job_spec_config",
        "jobMetadata": "job_metadata",
    }
    if run_k8s:
        config["run_k8s_config"] = {
            run_k8s_keys[key]: value for key, value in run_k8s.items() if value
        }
    return {"module": "dagster_k8s", "class": "K8sRunLauncher", "config": config}


def _run_coordinator(values: dict) -> dict:
    coordinator = values["dagsterDaemon"]["runCoordinator"]
    if coordinator["type"] != "QueuedRunCoordinator":
        raise NotImplementedError(coordinator["type"])
    queued = dict(coordinator["config"].get("queuedRunCoordinator") or {})
    rendered: dict[str, Any] = {"module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator"}
    # The chart's template writes these keys under config in snake_case.
    config = {
        name: queued.pop(key)
        for key, name in [
            ("dequeueIntervalSeconds", "dequeue_interval_seconds"),
            ("dequeueUseThreads", "dequeue_use_threads"),
        ]
        if queued.get(key) is not None
    }
    if any(value not in (None, [], {}, "") for value in queued.values()):
        raise NotImplementedError("run limits belong under `concurrency`, as in dagster.yaml")
    if config:
        rendered["config"] = config
    return rendered


def _compute_logs(values: dict) -> dict:
    manager = values["computeLogManager"]
    if manager["type"] != "S3ComputeLogManager":
        raise NotImplementedError(manager["type"])
    s3 = manager["config"]["s3ComputeLogManager"]
    config: dict[str, Any] = {"bucket": s3["bucket"]}
    for key, name in [
        ("localDir", "local_dir"),
        ("prefix", "prefix"),
        ("useSsl", "use_ssl"),
        ("verify", "verify"),
        ("verifyCertPath", "verify_cert_path"),
        ("endpointUrl", "endpoint_url"),
        ("skipEmptyFiles", "skip_empty_files"),
    ]:
        if s3.get(key):  # the template's `if`: false and empty values are left out
            config[name] = s3[key]
    return {
        "module": "dagster_aws.s3.compute_log_manager",
        "class": "S3ComputeLogManager",
        "config": config,
    }


def _run_monitoring(monitoring: dict) -> dict:
    rendered = {
        # A key the template always writes renders as null when values.yaml lacks it.
        "enabled": monitoring.get("enabled"),
        "start_timeout_seconds": monitoring.get("startTimeoutSeconds"),
    }
    if not _absent(monitoring.get("cancelTimeoutSeconds")):
        rendered["cancel_timeout_seconds"] = monitoring["cancelTimeoutSeconds"]
    if not _absent(monitoring.get("maxResumeRunAttempts")):
        rendered["max_resume_run_attempts"] = monitoring["maxResumeRunAttempts"]
    rendered["poll_interval_seconds"] = monitoring.get("pollIntervalSeconds")
    rendered["free_slots_after_run_end_seconds"] = monitoring.get("freeSlotsAfterRunEndSeconds")
    return rendered


def _run_retries(retries: dict) -> dict:
    rendered = {"enabled": retries["enabled"]}
    if retries.get("maxRetries"):
        rendered["max_retries"] = retries["maxRetries"]
    if not _absent(retries.get("retryOnAssetOrOpFailure")):
        rendered["retry_on_asset_or_op_failure"] = retries["retryOnAssetOrOpFailure"]
    return rendered


def _concurrency(concurrency: dict) -> dict:
    pools, runs = concurrency.get("pools") or {}, concurrency.get("runs") or {}
    rendered: dict[str, Any] = {}
    rendered_pools = {
        name: pools[key]
        for key, name in [
            ("defaultLimit", "default_limit"),
            ("granularity", "granularity"),
            ("opGranularityRunBuffer", "op_granularity_run_buffer"),
        ]
        if not _absent(pools.get(key)) and pools.get(key) != ""
    }
    if rendered_pools:
        rendered["pools"] = rendered_pools
    rendered_runs: dict[str, Any] = {}
    if not _absent(runs.get("maxConcurrentRuns")):
        rendered_runs["max_concurrent_runs"] = runs["maxConcurrentRuns"]
    if runs.get("tagConcurrencyLimits"):
        rendered_runs["tag_concurrency_limits"] = runs["tagConcurrencyLimits"]
    if rendered_runs:
        rendered["runs"] = rendered_runs
    return rendered


def _retention(retention: dict) -> dict:
    rendered = {}
    for key, name in [
        ("sensor", "sensor"), ("schedule", "schedule"), ("autoMaterialize", "auto_materialize")
    ]:
        if retention.get(key):
            rendered[name] = {"purge_after_days": retention[key]["purgeAfterDays"]}
    return rendered


def instance_config(values: dict) -> dict:
    """The dagster.yaml the chart writes into the `<release>-instance` ConfigMap."""
    if values["scheduler"]["type"] != "DagsterDaemonScheduler":
        raise NotImplementedError(values["scheduler"]["type"])
    daemon = values["dagsterDaemon"]
    storage = _postgres(values)
    instance: dict[str, Any] = {
        "scheduler": {"module": "dagster.core.scheduler", "class": "DagsterDaemonScheduler"},
        "schedule_storage": {
            "module": "dagster_postgres.schedule_storage",
            "class": "PostgresScheduleStorage",
            "config": storage,
        },
        "run_launcher": _run_launcher(values),
        "run_storage": {
            "module": "dagster_postgres.run_storage",
            "class": "PostgresRunStorage",
            "config": storage,
        },
        "event_log_storage": {
            "module": "dagster_postgres.event_log",
            "class": "PostgresEventLogStorage",
            "config": storage,
        },
    }
    if daemon["enabled"] and daemon["runCoordinator"]["enabled"]:
        instance["run_coordinator"] = _run_coordinator(values)
    instance["compute_logs"] = _compute_logs(values)
    if daemon["enabled"] and daemon["runMonitoring"]["enabled"]:
        instance["run_monitoring"] = _run_monitoring(daemon["runMonitoring"])
    if daemon["enabled"] and daemon["runRetries"]["enabled"]:
        instance["run_retries"] = _run_retries(daemon["runRetries"])
    instance["telemetry"] = {"enabled": values["telemetry"]["enabled"]}
    if values.get("retention", {}).get("enabled"):
        instance["retention"] = _retention(values["retention"])
    if values.get("concurrency", {}).get("enabled"):
        instance["concurrency"] = _concurrency(values["concurrency"])
    for key, value in (values.get("additionalInstanceConfig") or {}).items():
        if key in instance:
            raise ValueError(f"additionalInstanceConfig repeats `{key}`, which the chart renders")
        instance[key] = value
    return instance


def workspace(values: dict) -> dict:
    """The webserver's and daemon's workspace.yaml (configmap-workspace.yaml)."""
    workspace_values = values["dagsterWebserver"]["workspace"]
    if workspace_values["enabled"]:
        servers = [
            {
                "host": server["host"],
                "port": server["port"],
                "location_name": server.get("name") or server["host"],
            }
            for server in workspace_values["servers"]
        ]
    else:
        servers = [
            {"host": d["name"], "port": d["port"], "location_name": d["name"]}
            for d in values["dagster-user-deployments"]["deployments"]
        ]
    return {"load_from": [{"grpc_server": server} for server in servers]}


def code_server_command(deployment: dict) -> list[str]:
    """The code server container's args (the chart replaces the image's CMD with them)."""
    port = str(deployment["port"])
    if deployment.get("dagsterApiGrpcArgs"):
        return ["dagster", "api", "grpc", "-h", "0.0.0.0", "-p", port, *deployment["dagsterApiGrpcArgs"]]
    if deployment.get("codeServerArgs"):
        return ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", port, *deployment["codeServerArgs"]]
    raise ValueError(f"deployment {deployment['name']} has neither dagsterApiGrpcArgs nor codeServerArgs")


def run_pod_context(deployment: dict) -> dict:
    """The k8s container context the chart hands a code server for its runs
    (includeConfigInLaunchedRuns, dagsterUserDeployments.k8sContainerContext)."""
    context: dict[str, Any] = {
        "env_config_maps": [
            f"{RELEASE}-{deployment['name']}-user-env", *_names(deployment.get("envConfigMaps"))
        ],
    }
    optional = {
        "env_secrets": _names(deployment.get("envSecrets")),
        "volume_mounts": deployment.get("volumeMounts"),
        "volumes": deployment.get("volumes"),
        "labels": deployment.get("labels"),
        "resources": deployment.get("resources"),
        "env": deployment.get("env") if isinstance(deployment.get("env"), list) else None,
    }
    context.update({key: value for key, value in optional.items() if value})
    return context
