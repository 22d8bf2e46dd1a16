{{/* Alerts: one PrometheusRule (monitoring.coreos.com/v1) per chart, on the `up` series of its
     ServiceMonitors and on kube-state-metrics series of its workloads, HPAs and PDBs. */}}

{{/* common.prometheusrule: expects the chart context; the whole templates/prometheusrule.yaml. */}}
{{- define "common.prometheusrule" -}}
{{- include "common.once" (dict "root" . "template" "common.prometheusRuleOf") -}}
{{- end -}}

{{/* common.prometheusRuleOf: expects the chart-wide context; the chart's PrometheusRule when
     alerts.enabled: one group named after the chart, with the rules of every component. */}}
{{- define "common.prometheusRuleOf" -}}
{{- if .v.alerts.enabled }}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ .name }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
    {{- with .v.alerts.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  groups:
    - name: {{ .name }}
      rules:
        {{- include "common.each" (dict "root" .root "template" "common.alertRulesOf") | trim | nindent 8 }}
{{ end -}}
{{- end -}}

{{/* common.alert: expects (dict "ctx" <component context> "alert" <name> "expr" <PromQL> "for"
     <duration> "summary" <text> "description" <text>); one alerting rule, labelled with the
     severity, environment, plane and workload, linking to the alert's runbook section. */}}
{{- define "common.alert" -}}
{{- $ctx := .ctx -}}
- alert: {{ .alert }}
  expr: {{ .expr | quote }}
  for: {{ .for }}
  labels:
    severity: {{ $ctx.v.alerts.severity }}
    environment: {{ $ctx.v.environment }}
    plane: {{ index $ctx.root.Chart.Annotations "gitops-tool/plane" | default "none" }}
    workload: {{ $ctx.name }}
  annotations:
    summary: {{ .summary | quote }}
    description: {{ .description | quote }}
    runbook_url: {{ printf "%s#%s" $ctx.v.alerts.runbookURL (lower .alert) | quote }}
{{- end -}}

{{/* common.alertRulesOf: expects a component context; its alerting rules: target down (with
     a ServiceMonitor), crash-looping pods, unavailable replicas, HPA at its maximum (with an
     HPA), PDB allowing no disruption (with a PDB). The durations are the issue's. */}}
{{- define "common.alertRulesOf" -}}
{{- $ns := .root.Release.Namespace -}}
{{- $pods := printf "namespace=%q, pod=~%q" $ns (include "common.podPattern" .) -}}
{{- $sts := eq .v.kind "StatefulSet" -}}
{{- $open := "{{" -}}{{- $close := "}}" -}}
{{- if .v.serviceMonitor.enabled }}
{{ include "common.alert" (dict "ctx" . "alert" "AnantaTargetDown" "for" "5m"
  "expr" (printf "up{namespace=%q, job=%q} == 0" $ns .name)
  "summary" (printf "%s/%s: a metrics target is down" $ns .name)
  "description" (printf "Prometheus has failed to scrape %s $labels.instance %s of %s (job %s) for 5 minutes: the pod is gone, not ready, or its /metrics endpoint fails." $open $close .name .name)) }}
{{- end }}
{{ include "common.alert" (dict "ctx" . "alert" "AnantaPodCrashLooping" "for" "15m"
  "expr" (printf "increase(kube_pod_container_status_restarts_total{%s}[10m]) > 0" $pods)
  "summary" (printf "%s/%s: pods are crash-looping" $ns .name)
  "description" (printf "Container %s $labels.container %s of pod %s $labels.pod %s has kept restarting for 15 minutes." $open $close $open $close)) }}
{{- if $sts }}
{{ include "common.alert" (dict "ctx" . "alert" "AnantaReplicasUnavailable" "for" "10m"
  "expr" (printf "kube_statefulset_replicas{namespace=%q, statefulset=%q} - kube_statefulset_status_replicas_ready{namespace=%q, statefulset=%q} > 0" $ns .name $ns .name)
  "summary" (printf "%s/%s: replicas unavailable" $ns .name)
  "description" (printf "StatefulSet %s has had %s $value %s replica(s) not ready for 10 minutes." .name $open $close)) }}
{{- else }}
{{ include "common.alert" (dict "ctx" . "alert" "AnantaReplicasUnavailable" "for" "10m"
  "expr" (printf "kube_deployment_status_replicas_unavailable{namespace=%q, deployment=%q} > 0" $ns .name)
  "summary" (printf "%s/%s: replicas unavailable" $ns .name)
  "description" (printf "Deployment %s has had %s $value %s unavailable replica(s) for 10 minutes." .name $open $close)) }}
{{- end }}
{{- if and .v.autoscaling.enabled (not $sts) }}
{{ include "common.alert" (dict "ctx" . "alert" "AnantaHPAMaxedOut" "for" "15m"
  "expr" (printf "kube_horizontalpodautoscaler_status_current_replicas{namespace=%q, horizontalpodautoscaler=%q} >= kube_horizontalpodautoscaler_spec_max_replicas{namespace=%q, horizontalpodautoscaler=%q}" $ns .name $ns .name)
  "summary" (printf "%s/%s: autoscaler at its maximum" $ns .name)
  "description" (printf "HPA %s has run at its maximum of %d replicas for 15 minutes: the load may need more." .name (int .v.autoscaling.maxReplicas))) }}
{{- end }}
{{- if .v.podDisruptionBudget.enabled }}
{{ include "common.alert" (dict "ctx" . "alert" "AnantaPDBBlocksDisruption" "for" "30m"
  "expr" (printf "kube_poddisruptionbudget_status_pod_disruptions_allowed{namespace=%q, poddisruptionbudget=%q} == 0" $ns .name)
  "summary" (printf "%s/%s: the disruption budget allows no eviction" $ns .name)
  "description" (printf "PDB %s has allowed no voluntary disruption for 30 minutes: node drains and upgrades are blocked." .name)) }}
{{- end }}
{{- end -}}
