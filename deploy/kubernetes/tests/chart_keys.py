"""The value keys the dagster/dagster chart accepts, for the sections values.yaml sets.

Transcribed from the chart's values schema (helm/dagster/schema/schema/charts/**, the pydantic
models that generate values.schema.json) in the dagster repository at the 1.13 line. A key not
listed here is a typo or a key the chart ignores: Helm would drop it without a word. `ANY` marks a
free-form Kubernetes object or dagster config the chart passes through.
"""

ANY = object()

_IMAGE = {"repository": ANY, "tag": ANY, "pullPolicy": ANY}
_REF_LIST = ANY  # [{name: ...}] lists of ConfigMap/Secret references

_USER_DEPLOYMENT = {
    key: ANY
    for key in [
        "name", "dagsterApiGrpcArgs", "codeServerArgs", "deploymentNamespace", "port",
        "replicaCount", "env", "envConfigMaps", "envSecrets", "annotations", "nodeSelector",
        "affinity", "tolerations", "podSecurityContext", "securityContext", "resources",
        "livenessProbe", "readinessProbe", "startupProbe", "labels", "volumeMounts", "volumes",
        "schedulerName", "initContainers", "sidecarContainers", "deploymentStrategy",
    ]
} | {"image": _IMAGE, "includeConfigInLaunchedRuns": {"enabled": ANY}}

_K8S_RUN_LAUNCHER = {
    key: ANY
    for key in [
        "image", "imagePullPolicy", "jobNamespace", "loadInclusterConfig", "kubeconfigFile",
        "envConfigMaps", "envSecrets", "envVars", "volumeMounts", "volumes", "labels",
        "failPodOnRunFailure", "resources", "schedulerName", "securityContext", "runK8sConfig",
    ]
}

_S3_COMPUTE_LOG_MANAGER = {
    key: ANY
    for key in [
        "bucket", "localDir", "prefix", "useSsl", "verify", "verifyCertPath", "endpointUrl",
        "skipEmptyFiles", "uploadInterval", "uploadExtraArgs", "showUrlOnly", "region",
    ]
}

_DAEMON = {
    key: ANY
    for key in [
        "enabled", "image", "heartbeatTolerance", "env", "envConfigMaps", "envSecrets",
        "deploymentLabels", "labels", "nodeSelector", "affinity", "tolerations",
        "podSecurityContext", "securityContext", "resources", "checkDbReadyInitContainer",
        "livenessProbe", "readinessProbe", "startupProbe", "annotations", "sensors", "schedules",
        "backfills", "schedulerName", "logFormat", "volumeMounts", "volumes",
        "initContainerResources", "extraContainers", "extraPrependedInitContainers",
    ]
} | {
    "runCoordinator": {
        "enabled": ANY,
        "type": ANY,
        "config": {
            "queuedRunCoordinator": {
                key: ANY
                for key in [
                    "maxConcurrentRuns", "tagConcurrencyLimits", "dequeueIntervalSeconds",
                    "dequeueNumWorkers", "dequeueUseThreads", "blockOpConcurrencyLimitedRuns",
                ]
            },
            "customRunCoordinator": ANY,
        },
    },
    # A free-form dict in the schema; these are the keys configmap-instance.yaml reads.
    "runMonitoring": {
        key: ANY
        for key in [
            "enabled", "startTimeoutSeconds", "cancelTimeoutSeconds", "maxResumeRunAttempts",
            "pollIntervalSeconds", "freeSlotsAfterRunEndSeconds",
        ]
    },
    "runRetries": {"enabled": ANY, "maxRetries": ANY, "retryOnAssetOrOpFailure": ANY},
}

_TICK_RETENTION = {"purgeAfterDays": ANY}

CHART_KEYS = {
    "global": {
        key: ANY
        for key in [
            "postgresqlSecretName", "dagsterHome", "serviceAccountName", "celeryConfigSecretName",
        ]
    },
    "nameOverride": ANY,
    "fullnameOverride": ANY,
    "rbacEnabled": ANY,
    "imagePullSecrets": ANY,
    "generatePostgresqlPasswordSecret": ANY,
    "generateCeleryConfigSecret": ANY,
    "postgresql": {
        key: ANY
        for key in [
            "postgresqlScheme", "image", "enabled", "postgresqlHost", "postgresqlUsername",
            "postgresqlPassword", "postgresqlDatabase", "postgresqlParams",
        ]
    } | {"service": {"port": ANY}},
    "dagsterWebserver": {
        key: ANY
        for key in [
            "replicaCount", "nameOverride", "pathPrefix", "service", "enableReadOnly",
            "dbStatementTimeout", "dbPoolRecycle", "logLevel", "env", "envConfigMaps",
            "envSecrets", "deploymentLabels", "labels", "volumes", "volumeMounts", "annotations",
            "nodeSelector", "affinity", "tolerations", "podSecurityContext", "securityContext",
            "resources", "readinessProbe", "livenessProbe", "startupProbe", "schedulerName",
        ]
    } | {
        "image": _IMAGE,
        "workspace": {
            "enabled": ANY,
            "servers": [{"host": ANY, "port": ANY, "name": ANY, "ssl": ANY}],
            "externalConfigmap": ANY,
        },
    },
    "dagster-user-deployments": {
        "enabled": ANY,
        "enableSubchart": ANY,
        "imagePullSecrets": ANY,
        "deployments": [_USER_DEPLOYMENT],
    },
    "runLauncher": {"type": ANY, "config": {"k8sRunLauncher": _K8S_RUN_LAUNCHER}},
    "computeLogManager": {"type": ANY, "config": {"s3ComputeLogManager": _S3_COMPUTE_LOG_MANAGER}},
    "scheduler": {"type": ANY, "config": ANY},
    "dagsterDaemon": _DAEMON,
    "concurrency": {
        "enabled": ANY,
        "pools": {"defaultLimit": ANY, "granularity": ANY, "opGranularityRunBuffer": ANY},
        "runs": {"maxConcurrentRuns": ANY, "tagConcurrencyLimits": ANY},
    },
    "retention": {
        "enabled": ANY,
        "sensor": _TICK_RETENTION,
        "schedule": _TICK_RETENTION,
        "autoMaterialize": _TICK_RETENTION,
    },
    "telemetry": {"enabled": ANY},
    "additionalInstanceConfig": ANY,
}


def unknown_keys(values, allowed=CHART_KEYS, path="") -> list[str]:
    """Every key path in `values` that the chart schema above does not have."""
    if allowed is ANY:
        return []
    if isinstance(allowed, list):
        if not isinstance(values, list):
            return [f"{path} (expected a list)"]
        return [p for i, item in enumerate(values) for p in unknown_keys(item, allowed[0], f"{path}[{i}]")]
    if not isinstance(values, dict):
        return [f"{path} (expected a mapping)"]
    found = []
    for key, value in values.items():
        where = f"{path}.{key}" if path else key
        if key not in allowed:
            found.append(where)
        else:
            found.extend(unknown_keys(value, allowed[key], where))
    return found
