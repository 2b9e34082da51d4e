using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MobileViT.Service.Health;

/// <summary>
/// <c>/health/live</c>: the process answers (never depends on the model). <c>/health/startup</c>: every model is loaded
/// and warm. <c>/health/ready</c>: warm and not draining; a nearly full queue reports Degraded (still 200).
/// </summary>
internal static class HealthChecksExtensions
{
    public const string LiveTag = "live";
    public const string StartupTag = "startup";
    public const string ReadyTag = "ready";

    public static IServiceCollection AddMobileViTHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("The process is running."), [LiveTag])
            .AddCheck<ModelsLoadedHealthCheck>("models", tags: [StartupTag, ReadyTag])
            .AddCheck<DrainingHealthCheck>("draining", tags: [ReadyTag])
            .AddCheck<QueueSaturationHealthCheck>("queues", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapMobileViTHealthChecks(this IEndpointRouteBuilder app)
    {
        Map(app, "/health/live", LiveTag);
        Map(app, "/health/startup", StartupTag);
        Map(app, "/health/ready", ReadyTag);
        return app;
    }

    private static void Map(IEndpointRouteBuilder app, string path, string tag) =>
        app.MapHealthChecks(path, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(tag),
            ResponseWriter = WriteJsonAsync,
        }).WithTags("Health").AllowAnonymous();

    /// <summary>
    /// The report as JSON: every check with its description and data (the models and their states) for a caller the
    /// service knows (a valid key, or any caller when no keys are configured); only the status for anyone else, so that
    /// an unauthenticated client cannot learn which models exist.
    /// </summary>
    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        if (context.User.Identity?.IsAuthenticated != true)
            return JsonSerializer.SerializeAsync(context.Response.Body, new { status = report.Status.ToString() }, JsonSerializerOptions.Web, context.RequestAborted);
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
