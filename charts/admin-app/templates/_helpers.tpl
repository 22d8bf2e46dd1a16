{{/* Every resource of this chart is rendered by the library chart: charts/common/templates. */}}
