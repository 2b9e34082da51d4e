# Sourced by the live-model benchmarks (bench-swap.sh, bench-memory-cycles.sh): builds the service and the CLI
# (Release), makes an empty repository directory removed on exit, and starts the service on it with explicit control,
# the control API on and one admin key, logging to $out/service.log. Needs: out, port, key; optional SERVICE_ENV.
dotnet build -c Release -v q -nologo src/MobileViT.Service >/dev/null || { echo "build failed: src/MobileViT.Service" >&2; exit 1; }
dotnet build -c Release -v q -nologo src/MobileViT.Cli >/dev/null || { echo "build failed: src/MobileViT.Cli" >&2; exit 1; }
mobilevit=(dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll)
repository=$(mktemp -d)
service=""
cleanup() { [ -n "$service" ] && kill "$service" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$repository"; }
trap cleanup EXIT

start_repository_service() {
  echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  env ${SERVICE_ENV:-} MobileViT__Repository__Path="$repository" MobileViT__Repository__Control=explicit MobileViT__Repository__ControlApi=true \
    "MobileViT__Auth__ApiKeys__0=bench:$key scopes=infer,admin" MobileViT__Execution__Providers=CPU \
    Kestrel__Endpoints__Http__Url=http://127.0.0.1:$port Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((port + 1)) \
    Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
    dotnet src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll >"$out/service.log" 2>&1 &
  service=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "service not ready; see $out/service.log" >&2; exit 1; }
}
