"""The rules `gitops-tool validate` checks: stable IDs, what each means, how to fix it.

Pure data. An ID never changes meaning once released; a retired rule keeps its
ID reserved. `refs` names the matching check of other scanners (checkov,
kube-score, polaris) where one exists, so that a finding can be looked up there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """One check: its ID, a short title, the fix, and what it blocks."""

    id: str
    area: str  # structure | helm | pod | resources | probes | image | autoscaling | prod
    #            ingress | secrets | network | external-secrets | waiver | argocd
    title: str
    fix: str
    checkov: str = ""
    kube_score: str = ""
    polaris: str = ""
    waivable: bool = True  # a chart may waive it in Chart.yaml
    input_error: bool = False  # the chart cannot be read: validate exits 2 (bad input)
    blocks_helm: bool = False  # the chart is not rendered while this finding stands


# fmt: off
_RULES = (
    # Structure: the files and metadata every chart must have.
    Rule(
        "GT-STR-001", "structure", "a file every chart must have is missing",
        "add the file (see charts/README.md for the layout every chart follows)",
        waivable=False,
    ),
    Rule(
        "GT-STR-002", "structure", "a YAML file does not parse (syntax or duplicate key)",
        "fix the YAML at the line shown; duplicate keys are errors, never last-wins",
        waivable=False, input_error=True, blocks_helm=True,
    ),
    Rule(
        "GT-STR-003", "structure", "Chart.yaml apiVersion is not v2",
        "set `apiVersion: v2` (Helm 3+ chart format)",
        waivable=False, blocks_helm=True,
    ),
    Rule(
        "GT-STR-004", "structure", "Chart.yaml name differs from the chart folder",
        "make `name:` equal to the folder name (it is also the Helm release name)",
        waivable=False, blocks_helm=True,
    ),
    Rule(
        "GT-STR-005", "structure", "Chart.yaml version is not semver",
        "use a semantic version such as 1.4.2",
        waivable=False, blocks_helm=True,
    ),
    Rule(
        "GT-STR-006", "structure", "Chart.yaml names no plane, or an unknown one",
        "add the annotation `gitops-tool/plane: <plane>` with a plane of gitops-tool.yaml",
        waivable=False,
    ),
    Rule(
        "GT-STR-007", "structure", "an environment has no values-<env>.yaml in the chart",
        "create values-<env>.yaml for every file in environments/ (it may be `{}`)",
        waivable=False,
    ),
    Rule(
        "GT-STR-008", "structure", "a library dependency does not resolve",
        "point `repository: file://../<chart>` at a chart folder whose Chart.yaml has that name",
        waivable=False, blocks_helm=True,
    ),
    Rule(
        "GT-STR-009", "structure", "the chart name is not a valid Helm release name",
        "rename the folder: lowercase letters, digits and '-', at most 53 characters (RFC 1123)",
        waivable=False, input_error=True, blocks_helm=True,
    ),
    # Helm itself.
    Rule(
        "GT-HELM-001", "helm", "helm dependency build failed",
        "read helm's message; check the dependency's name, version and repository",
        waivable=False,
    ),
    Rule(
        "GT-HELM-002", "helm", "helm lint --strict failed",
        "read helm's message; a misspelled or mistyped value fails values.schema.json",
        waivable=False,
    ),
    Rule(
        "GT-HELM-003", "helm", "helm template failed or rendered invalid YAML",
        "read helm's message and fix the template or the values it names",
        waivable=False,
    ),
    Rule(
        "GT-HELM-004", "helm", "a values file does not match the chart's values.schema.json",
        "fix the key the finding names in the values file it names (a misspelled key, or a "
        "value of the wrong type)",
        waivable=False,
    ),
    # Pod and container security, on what helm template renders.
    Rule(
        "GT-POD-001", "pod", "container may run as root (runAsNonRoot is not true)",
        "set `runAsNonRoot: true` (and a non-zero runAsUser) in the pod securityContext",
        checkov="CKV_K8S_23", kube_score="container-security-context-user-group-id",
        polaris="runAsRootAllowed",
    ),
    Rule(
        "GT-POD-002", "pod", "no RuntimeDefault seccomp profile",
        "set `seccompProfile: {type: RuntimeDefault}` in the pod securityContext",
        checkov="CKV_K8S_31", kube_score="container-seccomp-profile",
        polaris="linuxHardening",
    ),
    Rule(
        "GT-POD-003", "pod", "allowPrivilegeEscalation is not false",
        "set `allowPrivilegeEscalation: false` in the container securityContext",
        checkov="CKV_K8S_20", polaris="privilegeEscalationAllowed",
    ),
    Rule(
        "GT-POD-004", "pod", "capabilities are not dropped (drop: [ALL])",
        "set `capabilities: {drop: [ALL]}` in the container securityContext",
        checkov="CKV_K8S_37, CKV_K8S_28", polaris="insecureCapabilities",
    ),
    Rule(
        "GT-POD-005", "pod", "root filesystem is writable",
        "set `readOnlyRootFilesystem: true`; mount emptyDir volumes where the process writes",
        checkov="CKV_K8S_22", kube_score="container-security-context-readonlyrootfilesystem",
        polaris="notReadOnlyRootFilesystem",
    ),
    Rule(
        "GT-POD-006", "pod", "privileged container",
        "remove `privileged: true`",
        checkov="CKV_K8S_16", kube_score="container-security-context-privileged",
        polaris="runAsPrivileged",
    ),
    Rule(
        "GT-POD-007", "pod", "pod shares the host network (hostNetwork)",
        "remove `hostNetwork: true`",
        checkov="CKV_K8S_19", polaris="hostNetworkSet",
    ),
    Rule(
        "GT-POD-008", "pod", "pod shares the host PID namespace (hostPID)",
        "remove `hostPID: true`",
        checkov="CKV_K8S_17", polaris="hostPIDSet",
    ),
    Rule(
        "GT-POD-009", "pod", "pod shares the host IPC namespace (hostIPC)",
        "remove `hostIPC: true`",
        checkov="CKV_K8S_18", polaris="hostIPCSet",
    ),
    Rule(
        "GT-POD-010", "pod", "pod mounts a hostPath volume",
        "use an emptyDir, configMap, secret or PersistentVolumeClaim volume instead",
        checkov="CKV_K8S_27 (docker socket only)",
    ),
    Rule(
        "GT-POD-011", "pod", "service account token is mounted (automountServiceAccountToken)",
        "set `automountServiceAccountToken: false` on the pod or its ServiceAccount, or waive "
        "the rule with the reason the service needs the Kubernetes API",
        checkov="CKV_K8S_38", polaris="automountServiceAccountToken",
    ),
    Rule(
        "GT-POD-012", "pod", "container adds Linux capabilities (capabilities.add)",
        "remove `capabilities.add`; only NET_BIND_SERVICE may be added (Pod Security "
        "Standards, restricted), or waive the rule with the reason the service needs it",
        checkov="CKV_K8S_25, CKV_K8S_39", polaris="dangerousCapabilities, insecureCapabilities",
    ),
    # Resources.
    Rule(
        "GT-RES-001", "resources", "no CPU request", "set `resources.requests.cpu`",
        checkov="CKV_K8S_10", kube_score="container-resources", polaris="cpuRequestsMissing",
    ),
    Rule(
        "GT-RES-002", "resources", "no CPU limit", "set `resources.limits.cpu`",
        checkov="CKV_K8S_11", kube_score="container-resources", polaris="cpuLimitsMissing",
    ),
    Rule(
        "GT-RES-003", "resources", "no memory request", "set `resources.requests.memory`",
        checkov="CKV_K8S_12", kube_score="container-resources",
        polaris="memoryRequestsMissing",
    ),
    Rule(
        "GT-RES-004", "resources", "no memory limit", "set `resources.limits.memory`",
        checkov="CKV_K8S_13", kube_score="container-resources", polaris="memoryLimitsMissing",
    ),
    # Probes (long-running workloads; Jobs, CronJobs and init containers are exempt).
    Rule(
        "GT-PRB-001", "probes", "no liveness probe", "add a `livenessProbe` on the health path",
        checkov="CKV_K8S_8", kube_score="pod-probes", polaris="livenessProbeMissing",
    ),
    Rule(
        "GT-PRB-002", "probes", "no readiness probe", "add a `readinessProbe` on the health path",
        checkov="CKV_K8S_9", kube_score="pod-probes", polaris="readinessProbeMissing",
    ),
    # Images.
    Rule(
        "GT-IMG-001", "image", "image not pinned (`:latest` or no tag)",
        "use an exact tag (the environment's release pin) or a digest",
        checkov="CKV_K8S_14", kube_score="container-image-tag", polaris="tagNotSpecified",
    ),
    # Autoscaling.
    Rule(
        "GT-HPA-001", "autoscaling", "Deployment targeted by an HPA sets `replicas`",
        "leave `replicas` out when autoscaling is enabled, so Argo CD and the HPA do not fight",
        kube_score="deployment-targeted-by-hpa-does-not-have-replicas-configured",
    ),
    # Production (the last environment of the promotion chain).
    Rule(
        "GT-PROD-001", "prod", "fewer than 3 replicas (or HPA minReplicas) in production",
        "set replicas, or autoscaling.minReplicas, to at least 3 in values-<prod>.yaml",
        polaris="deploymentMissingReplicas",
    ),
    Rule(
        "GT-PROD-002", "prod", "no PodDisruptionBudget with minAvailable >= 2 in production",
        "render a PodDisruptionBudget selecting the pods with `minAvailable: 2`",
        kube_score="deployment-has-poddisruptionbudget", polaris="missingPodDisruptionBudget",
    ),
    Rule(
        "GT-PROD-003", "prod", "no required pod anti-affinity in production",
        "add `requiredDuringSchedulingIgnoredDuringExecution` pod anti-affinity on "
        "kubernetes.io/hostname",
        kube_score="deployment-has-host-podantiaffinity",
    ),
    # Ingress.
    Rule(
        "GT-ING-001", "ingress", "Ingress host outside the environment's domain",
        "set the host in values-<env>.yaml to match `domain` in environments/<env>.yaml "
        "(e.g. `*-staging.ananta.io`)",
    ),
    # Secrets.
    Rule(
        "GT-SEC-001", "secrets", "a values file sets a password-, token- or key-like field "
        "to a literal",
        "reference the value instead: `secrets.existingSecret` plus `secrets.env` key names, "
        "an ExternalSecret or a SealedSecret",
        checkov="CKV_SECRET_* (secrets framework)", polaris="sensitiveConfigmapContent",
    ),
    Rule(
        "GT-SEC-002", "secrets", "a rendered Secret carries data",
        "set `secrets.existingSecret` (created outside git, or by ExternalSecret/SealedSecret) "
        "so the chart renders no Secret data",
    ),
    Rule(
        "GT-SEC-003", "secrets", "a secret-like env var or ConfigMap key is set to a literal",
        "read it from a Secret (`valueFrom.secretKeyRef`) instead",
        polaris="sensitiveContainerEnvVar, sensitiveConfigmapContent",
    ),
    # Secrets recognised by their shape, whatever the key (core.validate.shapes).
    Rule(
        "GT-SEC-004", "secrets", "an AWS access key ID (AKIA..., ASIA...) is written in the "
        "repository",
        "revoke the key in AWS IAM; give the workload a role (IRSA, Pod Identity) or read the "
        "key from a Secret (`secrets.existingSecret`, an ExternalSecret)",
        checkov="CKV_SECRET_2",
    ),
    Rule(
        "GT-SEC-005", "secrets", "a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_) "
        "is written in the repository",
        "revoke the token on GitHub; read it from a Secret (`secrets.existingSecret`, an "
        "ExternalSecret) or use a GitHub App",
    ),
    Rule(
        "GT-SEC-006", "secrets", "a Slack token (xoxa-, xoxb-, xoxp-, xoxr-, xoxs-) is written "
        "in the repository",
        "revoke the token in the Slack app's settings; read it from a Secret",
        checkov="CKV_SECRET_14",
    ),
    Rule(
        "GT-SEC-007", "secrets", "a Slack webhook URL (hooks.slack.com/services/...) is "
        "written in the repository",
        "regenerate the webhook in Slack (the URL is its secret); read it from a Secret",
    ),
    Rule(
        "GT-SEC-008", "secrets", "a Stripe secret or restricted key (sk_live_, rk_live_) is "
        "written in the repository",
        "roll the key in the Stripe dashboard; read it from a Secret",
        checkov="CKV_SECRET_17",
    ),
    Rule(
        "GT-SEC-009", "secrets", "a Google API key (AIza...) is written in the repository",
        "regenerate the key in the Google Cloud console and restrict it; read it from a Secret",
    ),
    Rule(
        "GT-SEC-010", "secrets", "a private key block (-----BEGIN ... PRIVATE KEY-----) is "
        "written in the repository",
        "replace the key pair; mount the key from a Secret (cert-manager for TLS keys)",
        checkov="CKV_SECRET_13",
    ),
    Rule(
        "GT-SEC-011", "secrets", "a JSON Web Token is written in the repository",
        "revoke or rotate the token (or its signing key); read it from a Secret",
        checkov="CKV_SECRET_9",
    ),
    Rule(
        "GT-SEC-012", "secrets", "a URL carries credentials (a password, a token as user "
        "name, a secret query parameter)",
        "change the password; write the URL without it and give the credential separately "
        "from a Secret (e.g. `secrets.env` for DATABASE_PASSWORD)",
        checkov="CKV_SECRET_4",
    ),
    Rule(
        "GT-SEC-013", "secrets", "a GitLab token (glpat-, gldt-, glrt-, glcbt-, glptt-, glft-, "
        "gloas-...) is written in the repository",
        "revoke the token in GitLab (the user's, project's or group's access tokens, or the "
        "deploy token); read it from a Secret (`secrets.existingSecret`, an ExternalSecret)",
    ),
    Rule(
        "GT-SEC-014", "secrets", "an npm access token (npm_...) is written in the repository",
        "revoke the token (`npm token revoke`, or on npmjs.com); give the build a granular "
        "token from a Secret",
        checkov="CKV_SECRET_12",
    ),
    Rule(
        "GT-SEC-015", "secrets", "a SendGrid API key (SG.<22>.<43>) is written in the "
        "repository",
        "delete the key in SendGrid's API key settings and create another; read it from a "
        "Secret",
    ),
    Rule(
        "GT-SEC-016", "secrets", "an OpenAI API key (sk-proj-..., sk-...T3BlbkFJ...) is "
        "written in the repository",
        "revoke the key on the OpenAI platform's API keys page; read it from a Secret",
    ),
    Rule(
        "GT-SEC-017", "secrets", "a PyPI API token (pypi-AgEI...) is written in the repository",
        "remove the token in the PyPI account settings (trusted publishing needs none); read "
        "it from a Secret",
    ),
    Rule(
        "GT-SEC-018", "secrets", "a Twilio API key (SK and 32 hex digits) is written in the "
        "repository",
        "delete the API key in the Twilio console and create another; read the key and its "
        "secret from a Secret",
        checkov="CKV_SECRET_18",
    ),
    Rule(
        "GT-SEC-019", "secrets", "an Azure storage account key (AccountKey=... of a "
        "connection string) is written in the repository",
        "rotate the key in the storage account's access keys; give the workload a managed "
        "identity, or read the connection string from a Secret",
        checkov="CKV_SECRET_3",
    ),
    Rule(
        "GT-SEC-020", "secrets", "a Discord webhook URL (discord.com/api/webhooks/...) is "
        "written in the repository",
        "delete the webhook in the channel's integrations (the URL is its secret) and create "
        "another; read it from a Secret",
    ),
    Rule(
        "GT-SEC-021", "secrets", "an HTTP Basic credential (`Basic ` and base64 of "
        "user:password) is written in the repository",
        "change the password; build the header at run time from a Secret",
    ),
    # Platform kinds around the workloads.
    Rule(
        "GT-NET-001", "network", "a workload's pods are selected by no NetworkPolicy "
        "(every environment after the first of the promotion chain)",
        "turn on `networkPolicy.enabled` for the component (charts/README.md), or render a "
        "NetworkPolicy selecting its pods",
        checkov="CKV2_K8S_6", polaris="missingNetworkPolicy",
    ),
    Rule(
        "GT-ESO-001", "external-secrets", "a container reads a Secret key its ExternalSecret "
        "does not write",
        "add the key to the chart's `secrets.env` (its ExternalSecret lists every key the "
        "containers read), or stop reading it",
    ),
    # Waivers.
    Rule(
        "GT-WVR-001", "waiver", "a waiver gives no reason",
        "write why: `gitops-tool/waive.<RULE-ID>: <reason>` in Chart.yaml annotations",
        waivable=False,
    ),
    Rule(
        "GT-WVR-002", "waiver", "a waiver names an unknown or unwaivable rule",
        "use a rule ID from docs/rules.md; structure, helm and waiver rules "
        "cannot be waived",
        waivable=False,
    ),
    # Argo CD manifests under argocd/.
    Rule(
        "GT-ARGO-001", "argocd", "manifest does not match its Argo CD CRD schema",
        "fix the field named (unknown fields are reported: Kubernetes would drop them silently)",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-002", "argocd", "Application or ApplicationSet in the `default` project",
        "put it in the environment's AppProject",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-003", "argocd",
        "AppProject admits source repositories by pattern (`*`, `?`, `[`, or `!` negation)",
        "list the exact GitOps repository URL in sourceRepos",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-004", "argocd",
        "AppProject admits destinations by pattern (`*`, `?`, `[`, or `!` negation)",
        "name the exact cluster (server or name) and namespace in destinations",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-005", "argocd", "AppProject whitelists every cluster-scoped resource",
        "list the cluster-scoped kinds the project needs in clusterResourceWhitelist",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-006", "argocd", "an Application's chart path or values file does not exist",
        "re-run `gitops-tool render`, or fix spec.source.path / helm.valueFiles",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-007", "argocd", "ApplicationSet templates the project",
        "use a fixed project name in the template (a templated project lets a generator "
        "escape its AppProject)",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-008", "argocd", "production AppProject has no sync window",
        "add syncWindows to the production environment (environments/<prod>.yaml)",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-009", "argocd", "Application name is not a valid Helm release name",
        "keep `<env>-<chart>` within 53 lowercase characters, or set helm.releaseName",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-010", "argocd", "Application renders differently from what validate checks",
        "release name must be the chart name, namespace the environment's, valueFiles "
        "values.yaml + values-<env>.yaml; re-run `gitops-tool render`",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-011", "argocd", "Application is not permitted by its AppProject",
        "create the AppProject, or allow the Application's repoURL and destination in it",
        waivable=False,
    ),
    Rule(
        "GT-ARGO-012", "argocd", "the chart does not exist at the environment's pinned commit",
        "promote a commit that has the chart (source.revision in environments/<env>.yaml); "
        "until then Argo CD reports a ComparisonError for its Application",
        waivable=False,
    ),
)

# fmt: on

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def rule(rule_id: str) -> Rule:
    """The rule with this ID (KeyError for an unknown ID: a bug in a check)."""
    return RULES[rule_id]
