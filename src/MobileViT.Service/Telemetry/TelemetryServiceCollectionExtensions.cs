using MobileViT.Inference.Access;
using MobileViT.Inference.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MobileViT.Service.Telemetry;

/// <summary>
/// OpenTelemetry metrics and traces: ASP.NET Core (HTTP and gRPC server calls), HttpClient, .NET runtime and the
/// inference core's own meter and activity source. Metrics are scraped at <c>/metrics</c>; both are pushed over OTLP
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. <c>OTEL_SERVICE_NAME</c> and <c>OTEL_RESOURCE_ATTRIBUTES</c> win
/// over the built-in service name.
/// </summary>
internal static class TelemetryServiceCollectionExtensions
{
    public const string ServiceName = "mobilevit-service";
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddMobileViTTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(ServiceName, serviceVersion: typeof(TelemetryServiceCollectionExtensions).Assembly.GetName().Version?.ToString())
                .AddEnvironmentVariableDetector())
            .WithMetrics(metrics => metrics
                .AddMeter(InferenceMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddView(instrument => PrometheusSafeName(instrument))
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(InferenceMetrics.ActivitySourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation());
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.UseOtlpExporter();
        return services;
    }

    /// <summary><c>/metrics</c>: needs a key like every route when <see cref="AuthOptions.ProtectMetrics"/> is set, public otherwise.</summary>
    public static IEndpointRouteBuilder MapMobileViTTelemetry(this IEndpointRouteBuilder app)
    {
        var scrape = app.MapPrometheusScrapingEndpoint(MetricsPath);
        // Read from configuration, not the validated options: mapping happens before start-up validation runs.
        if (app.ServiceProvider.GetRequiredService<IConfiguration>().GetSection(AuthOptions.SectionName).Get<AuthOptions>()?.ProtectMetrics != true)
            scrape.AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Prometheus reserves the <c>_count</c> suffix for histograms and summaries (<c>promtool check metrics</c> rejects
    /// anything else with it), which three .NET runtime gauges use; they are exported under names that say the same.
    /// </summary>
    private static MetricStreamConfiguration? PrometheusSafeName(System.Diagnostics.Metrics.Instrument instrument) => instrument.Name switch
    {
        "dotnet.assembly.count" => new MetricStreamConfiguration { Name = "dotnet.assemblies.loaded" },
        "dotnet.process.cpu.count" => new MetricStreamConfiguration { Name = "dotnet.process.cpus" },
        "dotnet.timer.count" => new MetricStreamConfiguration { Name = "dotnet.timers.active" },
        _ => null,
    };

    /// <summary>Scrapes and health probes arrive every few seconds and would drown the request traces.</summary>
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/health");
}
