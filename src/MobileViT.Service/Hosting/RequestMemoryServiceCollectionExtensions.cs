using MobileViT.Inference.Configuration;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.Hosting;

public static class RequestMemoryServiceCollectionExtensions
{
    /// <summary>The process-wide request memory budget the body readers reserve from, and the trimmer that returns a burst's memory.</summary>
    public static IServiceCollection AddMobileViTRequestMemory(this IServiceCollection services)
    {
        services.AddSingleton(sp => RequestMemory.CreateTrimmer(sp.GetRequiredService<MobileViTOptions>().Limits, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => RequestMemory.CreateBudget(sp.GetRequiredService<MobileViTOptions>().Limits, sp.GetRequiredService<InferenceMetrics>(),
            sp.GetRequiredService<IdleMemoryTrimmer>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestMemoryBudget).FullName!)));
        return services;
    }
}
