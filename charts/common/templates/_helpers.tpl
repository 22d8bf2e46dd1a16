{{/* Names, labels and the component loop shared by every resource of the library. */}}

{{/* common.name: expects the chart context; the chart name (or nameOverride), <= 63 chars. */}}
{{- define "common.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* common.fullname: expects the chart context; the resource-name prefix, <= 63 chars. */}}
{{- define "common.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* common.suffixed: expects (list base suffix); "<base>-<suffix>" in 63 chars, cutting the base
     so that the suffix survives and names of different suffixes never collide. */}}
{{- define "common.suffixed" -}}
{{- $base := index . 0 -}}
{{- $suffix := index . 1 -}}
{{- if $suffix -}}
{{- $keep := int (sub 62 (len $suffix)) -}}
{{- printf "%s-%s" ($base | trunc $keep | trimSuffix "-") $suffix -}}
{{- else -}}
{{- $base -}}
{{- end -}}
{{- end -}}

{{/* common.chart: expects the chart context; the helm.sh/chart label value. */}}
{{- define "common.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* common.labelValue: expects any value; it as a valid label value (<= 63 chars). */}}
{{- define "common.labelValue" -}}
{{- toString . | replace "+" "_" | trunc 63 | trimSuffix "-" | trimSuffix "." | trimSuffix "_" -}}
{{- end -}}

{{/* common.imageTag: expects an image tag; it as text. A number (a digits-only tag from
     `--set` or a values file) is printed whole, never as 2.0240101e+07. */}}
{{- define "common.imageTag" -}}
{{- if or (kindIs "float64" .) (kindIs "float32" .) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/* common.selectorLabels: expects a component context; the stable labels selectors use. */}}
{{- define "common.selectorLabels" -}}
app.kubernetes.io/name: {{ include "common.name" .root }}
app.kubernetes.io/instance: {{ include "common.labelValue" .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* common.workloadLabel: expects a component context; the label its pods carry naming their
     Deployment or StatefulSet (the alerts' `workload` label), so that
     `-l ananta.io/workload=<workload>` finds them in one- and multi-component charts alike.
     Pods only: selectors keep name + instance + component. */}}
{{- define "common.workloadLabel" -}}
ananta.io/workload: {{ .name }}
{{- end -}}

{{/* common.version: expects a component context; the version it runs: its image tag (the
     release pin), or the chart's appVersion. */}}
{{- define "common.version" -}}
{{- include "common.imageTag" (.v.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{/* common.labels: expects a component context; every label of a resource. */}}
{{- define "common.labels" -}}
{{ include "common.selectorLabels" . }}
app.kubernetes.io/version: {{ include "common.labelValue" (include "common.version" .) | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ .v.partOf }}
helm.sh/chart: {{ include "common.chart" .root }}
{{- end -}}

{{/* common.once: expects (dict "root" <chart context> "template" <define name>); includes the
     define once with the context of chart-wide resources (ServiceAccount, Secret placeholder):
     chart-level values, name <fullname>, component label = the role in a chart without
     components, "shared" in a multi-component chart. */}}
{{- define "common.once" -}}
{{- $root := .root -}}
{{- $v := omit $root.Values "components" "common" "global" -}}
{{- $ctx := dict "root" $root "key" "" "v" $v "name" (include "common.fullname" $root) -}}
{{- $_ := set $ctx "component" (ternary "shared" $v.role (not (empty $root.Values.components))) -}}
{{- include .template $ctx -}}
{{- end -}}

{{/* common.each: expects (dict "root" <chart context> "template" <define name>); includes the
     define once per component, sorted by name, with a component context:
       root (the chart context), key (component name, "" in a chart without components),
       name (resource name: <fullname> or <fullname>-<key>), component (the component label),
       v (the component's values: chart-level values with components.<key> merged over them). */}}
{{- define "common.each" -}}
{{- $root := .root -}}
{{- $base := omit $root.Values "components" "common" "global" -}}
{{- $components := $root.Values.components | default dict -}}
{{- $keys := keys $components | sortAlpha -}}
{{- if not $keys -}}{{- $keys = list "" -}}{{- end -}}
{{- $full := include "common.fullname" $root -}}
{{- range $key := $keys -}}
{{- $override := get $components $key | default dict -}}
{{- $v := mergeOverwrite (deepCopy $base) (deepCopy $override) -}}
{{- $ctx := dict "root" $root "key" $key "v" $v -}}
{{- $_ := set $ctx "name" (include "common.suffixed" (list $full $key)) -}}
{{- $_ = set $ctx "component" (default $v.role $key) -}}
{{- include $.template $ctx -}}
{{- end -}}
{{- end -}}

{{/* common.serviceAccountName: expects the chart context; the pods' ServiceAccount. */}}
{{- define "common.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "common.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* common.secretName: expects a component context; the Secret its containers read. */}}
{{- define "common.secretName" -}}
{{- .v.secrets.existingSecret | default (include "common.suffixed" (list (include "common.fullname" .root) "secrets")) -}}
{{- end -}}

{{/* common.volumeName: expects an absolute path; a volume name derived from it. */}}
{{- define "common.volumeName" -}}
{{- regexReplaceAll "[^a-z0-9]+" (. | trimPrefix "/" | lower) "-" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* common.writableDirs: expects a component context; the emptyDir paths as a YAML list. */}}
{{- define "common.writableDirs" -}}
{{- $dirs := .v.writableDirs | default list -}}
{{- if .v.nginx.enabled -}}
{{- $dirs = concat $dirs (list "/tmp" "/var/cache/nginx" "/var/run") -}}
{{- end -}}
{{- toYaml (dict "dirs" ($dirs | uniq | sortAlpha)) -}}
{{- end -}}

{{/* common.seededDirs: expects a component context; the seededDirs paths as a YAML list. */}}
{{- define "common.seededDirs" -}}
{{- toYaml (dict "dirs" (.v.seededDirs | default list | uniq | sortAlpha)) -}}
{{- end -}}

{{/* common.seedName: expects an absolute path; the name of its seeded emptyDir and of the init
     container that fills it: "seed-<path as a volume name>", or, past 63 chars, its first 54
     and 8 hex digits of the path's sha256 (so long paths stay distinct). */}}
{{- define "common.seedName" -}}
{{- $name := printf "seed-%s" (include "common.volumeName" .) -}}
{{- if gt (len $name) 63 -}}
{{- $name = printf "%s-%s" ($name | trunc 54 | trimSuffix "-") (sha256sum . | trunc 8) -}}
{{- end -}}
{{- $name -}}
{{- end -}}

{{/* common.fileKey: expects an absolute file path (a `files` key); its key in the files
     ConfigMap and the subPath of its mount: the path without the leading slash, slashes as
     underscores, or, past 253 chars, its first 244 and 8 hex digits of the path's sha256. */}}
{{- define "common.fileKey" -}}
{{- $key := . | trimPrefix "/" | replace "/" "_" -}}
{{- if gt (len $key) 253 -}}
{{- $key = printf "%s-%s" ($key | trunc 244) (sha256sum . | trunc 8) -}}
{{- end -}}
{{- $key -}}
{{- end -}}

{{/* common.filesData: expects a component context; the data of its files ConfigMap (each
     `files` content through tpl, under its common.fileKey), or nothing without files. */}}
{{- define "common.filesData" -}}
{{- $data := dict -}}
{{- range $path, $content := .v.files -}}
{{- $_ := set $data (include "common.fileKey" $path) (tpl (toString $content) $.root) -}}
{{- end -}}
{{- if $data -}}
{{- toYaml $data -}}
{{- end -}}
{{- end -}}

{{/* common.serviceURL: expects (list <chart context> <component name>); "http://<Service>:<port>"
     of that component (its name as common.each makes it, its service.port or the chart's), for
     addresses in `config` and `files` values. */}}
{{- define "common.serviceURL" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $components := $root.Values.components | default dict -}}
{{- if not (hasKey $components $key) -}}
{{- fail (printf "common.serviceURL: the chart has no component %q" $key) -}}
{{- end -}}
{{- $port := dig "service" "port" $root.Values.service.port (get $components $key | default dict) -}}
{{- $service := include "common.suffixed" (list (include "common.fullname" $root) $key) -}}
{{- printf "http://%s:%d" $service (int $port) -}}
{{- end -}}

{{/* common.podPattern: expects a component context; a regular expression matching exactly
     the names of its workload's pods (a Deployment's <name>-<hash>-<suffix>, a StatefulSet's
     <name>-<ordinal>), for kube-state-metrics and cAdvisor series that only carry `pod`. */}}
{{- define "common.podPattern" -}}
{{- if eq .v.kind "StatefulSet" -}}
{{- printf "%s-[0-9]+" .name -}}
{{- else -}}
{{- printf "%s-[a-z0-9]+-[a-z0-9]+" .name -}}
{{- end -}}
{{- end -}}

{{/* common.otlpPeer: expects a component context; {namespace, port} of its tracing.endpoint
     as YAML, failing when the endpoint is not a Service in the cluster (the NetworkPolicy
     could not allow it). */}}
{{- define "common.otlpPeer" -}}
{{- $pattern := "^https?://[a-z0-9]([-a-z0-9]*[a-z0-9])?[.]([a-z0-9]([-a-z0-9]*[a-z0-9])?)([.]svc([.]cluster[.]local)?)?:([0-9]+)/?$" -}}
{{- $endpoint := .v.tracing.endpoint -}}
{{- if not (regexMatch $pattern $endpoint) -}}
{{- fail (printf "%s: tracing.endpoint %q is not an in-cluster Service URL like http://otel-collector.observability-system.svc.cluster.local:4317 (the NetworkPolicy allows egress by namespace and port)" .name $endpoint) -}}
{{- end -}}
namespace: {{ regexReplaceAll $pattern $endpoint "${2}" }}
port: {{ regexReplaceAll $pattern $endpoint "${6}" }}
{{- end -}}

{{/* common.validate: expects a component context; fails on combinations the schema cannot
     see once components are merged. Renders nothing. */}}
{{- define "common.validate" -}}
{{- $writable := (include "common.writableDirs" . | fromYaml).dirs -}}
{{- $volumes := list -}}
{{- range $writable -}}
{{- $volumes = append $volumes (include "common.volumeName" .) -}}
{{- end -}}
{{- range (include "common.seededDirs" . | fromYaml).dirs -}}
{{- if has . $writable -}}
{{- fail (printf "%s: %s is in writableDirs and seededDirs: keep it in one" $.name .) -}}
{{- end -}}
{{- $volumes = append $volumes (include "common.seedName" .) -}}
{{- end -}}
{{- $emptyDirs := concat $writable (include "common.seededDirs" . | fromYaml).dirs -}}
{{- $fileKeys := dict -}}
{{- range $path, $_ := .v.files -}}
{{- if or (not (regexMatch "^(/[-._a-zA-Z0-9]+)+$" $path)) (regexMatch "(^|/)[.][.]?(/|$)" $path) -}}
{{- fail (printf "%s: files: %q is not an absolute file path (like /etc/app/app.yaml: letters, digits, - . _)" $.name $path) -}}
{{- end -}}
{{- range $emptyDirs -}}
{{- if or (eq $path .) (hasPrefix (printf "%s/" .) $path) -}}
{{- fail (printf "%s: files: %s lies inside %s, a writableDirs/seededDirs emptyDir: mount it outside the folders the process writes" $.name $path .) -}}
{{- end -}}
{{- if hasPrefix (printf "%s/" $path) . -}}
{{- fail (printf "%s: files: %s is a file, but writableDirs/seededDirs mount %s below it" $.name $path .) -}}
{{- end -}}
{{- end -}}
{{- $key := include "common.fileKey" $path -}}
{{- if hasKey $fileKeys $key -}}
{{- fail (printf "%s: files: %s and %s give the same ConfigMap key %s: rename one" $.name (get $fileKeys $key) $path $key) -}}
{{- end -}}
{{- $_ := set $fileKeys $key $path -}}
{{- end -}}
{{- if .v.files -}}
{{- $volumes = append $volumes "files" -}}
{{- end -}}
{{- if ne (len $volumes) (len (uniq $volumes)) -}}
{{- fail (printf "%s: writableDirs, seededDirs and files give colliding volume names %v" .name $volumes) -}}
{{- end -}}
{{- if and .v.ingress.enabled (eq .v.role "worker") -}}
{{- fail (printf "%s: a worker has no Ingress: set ingress.enabled: false" .name) -}}
{{- end -}}
{{- if and .v.ingress.enabled (not .v.ingress.host) -}}
{{- fail (printf "%s: ingress.enabled needs ingress.host" .name) -}}
{{- end -}}
{{- if not .v.image.repository -}}
{{- fail (printf "%s: image.repository is required" .name) -}}
{{- end -}}
{{- $tag := include "common.imageTag" .v.image.tag -}}
{{- if or (not $tag) (eq $tag "latest") -}}
{{- fail (printf "%s: image.tag must be a pinned version (not empty, not latest)" .name) -}}
{{- end -}}
{{- if and .v.service.primaryOnly (ne .v.kind "StatefulSet") -}}
{{- fail (printf "%s: service.primaryOnly needs kind: StatefulSet" .name) -}}
{{- end -}}
{{- if .v.tracing.enabled -}}
{{- $_ := include "common.otlpPeer" . -}}
{{- end -}}
{{- range .v.networkPolicy.externals -}}
{{- if not (hasKey $.v.networkPolicy.externalServices .) -}}
{{- fail (printf "%s: networkPolicy.externals: %q is not in networkPolicy.externalServices" $.name .) -}}
{{- end -}}
{{- end -}}
{{- if and .v.autoscaling.enabled (gt (int .v.autoscaling.minReplicas) (int .v.autoscaling.maxReplicas)) -}}
{{- fail (printf "%s: autoscaling.minReplicas > maxReplicas" .name) -}}
{{- end -}}
{{- end -}}
