{{/* The Grafana dashboard of a plane: a ConfigMap the Grafana sidecar loads, whose JSON is built
     here from dashboard.services (data), never pasted. */}}

{{/* common.dashboard: expects the chart context; the whole templates/dashboard.yaml. */}}
{{- define "common.dashboard" -}}
{{- include "common.once" (dict "root" . "template" "common.dashboardOf") -}}
{{- end -}}

{{/* common.dashboardOf: expects the chart-wide context; with dashboard.enabled, a ConfigMap
     labelled for the Grafana sidecar holding <plane>.json, the dashboard of the chart's plane
     (the Chart.yaml annotation gitops-tool/plane). */}}
{{- define "common.dashboardOf" -}}
{{- if .v.dashboard.enabled -}}
{{- $plane := index (.root.Chart.Annotations | default dict) "gitops-tool/plane" | default "" -}}
{{- if not $plane -}}
{{- fail (printf "%s: dashboard.enabled needs the Chart.yaml annotation gitops-tool/plane" .name) -}}
{{- end -}}
{{- $model := include "common.dashboardModel" (dict "ctx" . "plane" $plane) | fromYaml -}}
{{- if hasKey $model "Error" -}}
{{- fail (printf "%s: the dashboard model is not YAML: %s" .name $model.Error) -}}
{{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "common.suffixed" (list .name (printf "%s-dashboard" $plane)) }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
    {{- toYaml .v.dashboard.labels | nindent 4 }}
data:
  {{ $plane }}.json: |-
    {{- toPrettyJson $model | nindent 4 }}
{{ end -}}
{{- end -}}

{{/* common.dashboardModel: expects (dict "ctx" <chart-wide context> "plane" <plane>); the
     Grafana dashboard as YAML: a data-source variable, then per service of dashboard.services
     a row with its panels (common.dashboardRow), 17 units high. */}}
{{- define "common.dashboardModel" -}}
{{- $ctx := .ctx -}}
{{- $env := $ctx.v.environment -}}
uid: {{ printf "ananta-%s-%s" .plane $env | trunc 40 | quote }}
title: {{ printf "Ananta %s (%s)" .plane $env | quote }}
tags: [ananta, {{ .plane | quote }}, {{ $env | quote }}]
editable: false
schemaVersion: 39
timezone: utc
refresh: 1m
time:
  from: now-6h
  to: now
templating:
  list:
    - name: datasource
      label: Data source
      type: datasource
      query: prometheus
      current: {}
      hide: 0
      refresh: 1
      regex: ""
panels:
{{- range $index, $service := $ctx.v.dashboard.services }}
{{- include "common.dashboardRow" (dict "service" $service "namespace" $ctx.root.Release.Namespace "id" (add1 (mul $index 10)) "y" (mul $index 17)) | nindent 2 }}
{{- end }}
{{- end -}}

{{/* common.dashboardRow: expects (dict "service" <a dashboard.services entry> "namespace" <ns>
     "id" <first panel id> "y" <first grid row>); the row of one service: replicas (desired and
     available or ready), CPU and memory used against requests and limits, restarts, and the
     `up` of its ServiceMonitor jobs. Series: kube-state-metrics, the kubelet's cAdvisor, up. */}}
{{- define "common.dashboardRow" -}}
{{- $ns := .namespace -}}
{{- $name := .service.name -}}
{{- $workloads := list -}}
{{- range .service.deployments | default list -}}
{{- $workloads = append $workloads (dict "name" . "v" (dict "kind" "Deployment")) -}}
{{- end -}}
{{- range .service.statefulSets | default list -}}
{{- $workloads = append $workloads (dict "name" . "v" (dict "kind" "StatefulSet")) -}}
{{- end -}}
{{- $jobs := .service.scrapeJobs | default list -}}
{{- $source := dict "type" "prometheus" "uid" "${datasource}" -}}
- id: {{ .id }}
  type: row
  title: {{ $name | quote }}
  collapsed: false
  gridPos: {h: 1, w: 24, x: 0, "y": {{ .y }}}
  panels: []
- id: {{ add .id 1 }}
  type: timeseries
  title: {{ printf "%s: replicas" $name | quote }}
  datasource: {{ toJson $source }}
  gridPos: {h: 8, w: 8, x: 0, "y": {{ add .y 1 }}}
  fieldConfig: {defaults: {unit: short, min: 0}, overrides: []}
  targets:
  {{- range $workloads }}
  {{- $w := .name }}
  {{- if eq .v.kind "StatefulSet" }}
    - {refId: {{ printf "%s-desired" $w | quote }}, legendFormat: {{ printf "%s desired" $w | quote }}, expr: {{ printf "kube_statefulset_replicas{namespace=%q, statefulset=%q}" $ns $w | quote }}}
    - {refId: {{ printf "%s-ready" $w | quote }}, legendFormat: {{ printf "%s ready" $w | quote }}, expr: {{ printf "kube_statefulset_status_replicas_ready{namespace=%q, statefulset=%q}" $ns $w | quote }}}
  {{- else }}
    - {refId: {{ printf "%s-desired" $w | quote }}, legendFormat: {{ printf "%s desired" $w | quote }}, expr: {{ printf "kube_deployment_spec_replicas{namespace=%q, deployment=%q}" $ns $w | quote }}}
    - {refId: {{ printf "%s-available" $w | quote }}, legendFormat: {{ printf "%s available" $w | quote }}, expr: {{ printf "kube_deployment_status_replicas_available{namespace=%q, deployment=%q}" $ns $w | quote }}}
  {{- end }}
  {{- end }}
{{- range $i, $resource := list "cpu" "memory" }}
- id: {{ add $.id 2 $i }}
  type: timeseries
  title: {{ printf "%s: %s used, requested, limit" $name (ternary "CPU (cores)" "memory" (eq $resource "cpu")) | quote }}
  datasource: {{ toJson $source }}
  gridPos: {h: 8, w: 8, x: {{ mul (add $i 1) 8 }}, "y": {{ add $.y 1 }}}
  fieldConfig: {defaults: {unit: {{ ternary "short" "bytes" (eq $resource "cpu") }}, min: 0}, overrides: []}
  targets:
  {{- range $workloads }}
  {{- $w := .name }}
  {{- $pods := printf "namespace=%q, pod=~%q" $ns (include "common.podPattern" .) }}
  {{- $used := ternary (printf "sum(rate(container_cpu_usage_seconds_total{%s, container!=\"\", container!=\"POD\"}[5m]))" $pods) (printf "sum(container_memory_working_set_bytes{%s, container!=\"\", container!=\"POD\"})" $pods) (eq $resource "cpu") }}
    - {refId: {{ printf "%s-used" $w | quote }}, legendFormat: {{ printf "%s used" $w | quote }}, expr: {{ $used | quote }}}
    - {refId: {{ printf "%s-requested" $w | quote }}, legendFormat: {{ printf "%s requested" $w | quote }}, expr: {{ printf "sum(kube_pod_container_resource_requests{%s, resource=%q})" $pods $resource | quote }}}
    - {refId: {{ printf "%s-limit" $w | quote }}, legendFormat: {{ printf "%s limit" $w | quote }}, expr: {{ printf "sum(kube_pod_container_resource_limits{%s, resource=%q})" $pods $resource | quote }}}
  {{- end }}
{{- end }}
- id: {{ add .id 4 }}
  type: timeseries
  title: {{ printf "%s: restarts in the last hour" $name | quote }}
  datasource: {{ toJson $source }}
  gridPos: {h: 8, w: {{ ternary 12 24 (not (empty $jobs)) }}, x: 0, "y": {{ add .y 9 }}}
  fieldConfig: {defaults: {unit: short, min: 0}, overrides: []}
  targets:
  {{- range $workloads }}
    - {refId: {{ printf "%s-restarts" .name | quote }}, legendFormat: {{ printf "%s restarts" .name | quote }}, expr: {{ printf "sum(increase(kube_pod_container_status_restarts_total{namespace=%q, pod=~%q}[1h]))" $ns (include "common.podPattern" .) | quote }}}
  {{- end }}
{{- with $jobs }}
- id: {{ add $.id 5 }}
  type: timeseries
  title: {{ printf "%s: scrape health" $name | quote }}
  datasource: {{ toJson $source }}
  gridPos: {h: 8, w: 12, x: 12, "y": {{ add $.y 9 }}}
  fieldConfig: {defaults: {unit: short, min: 0}, overrides: []}
  targets:
  {{- range . }}
    - {refId: {{ printf "%s-up" . | quote }}, legendFormat: {{ printf "%s targets up" . | quote }}, expr: {{ printf "sum(up{namespace=%q, job=%q})" $ns . | quote }}}
    - {refId: {{ printf "%s-targets" . | quote }}, legendFormat: {{ printf "%s targets" . | quote }}, expr: {{ printf "count(up{namespace=%q, job=%q})" $ns . | quote }}}
  {{- end }}
{{- end }}
{{- end -}}
