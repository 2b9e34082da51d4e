using Microsoft.Extensions.DependencyInjection.Extensions;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.Telemetry;

internal static class LiveStatsServiceCollectionExtensions
{
    /// <summary>Registers <see cref="LiveStats"/>, the live view's aggregation of the inference instruments, on the system clock unless a TimeProvider is registered.</summary>
    public static IServiceCollection AddMobileViTLiveStats(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new LiveStats(sp.GetRequiredService<InferenceMetrics>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
