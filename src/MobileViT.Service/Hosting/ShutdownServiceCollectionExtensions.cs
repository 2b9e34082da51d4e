using Microsoft.Extensions.Options;

namespace MobileViT.Service.Hosting;

internal static class ShutdownServiceCollectionExtensions
{
    /// <summary>Graceful drain on SIGTERM, with the host's shutdown timeout sized to cover grace period, drain and server stop.</summary>
    public static IServiceCollection AddMobileViTGracefulShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShutdownOptions>()
            .Bind(configuration.GetSection(ShutdownOptions.SectionName))
            .Validate(o => o.ReadinessGracePeriodSeconds >= 0, $"{ShutdownOptions.SectionName}:ReadinessGracePeriodSeconds must be 0 or more.")
            .Validate(o => o.DrainTimeoutSeconds > 0, $"{ShutdownOptions.SectionName}:DrainTimeoutSeconds must be more than 0.")
            .ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.HostShutdownTimeout);
        services.AddHostedService<GracefulShutdownService>();
        return services;
    }
}
