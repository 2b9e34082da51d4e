using MobileViT.Inference.Configuration;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.Hosting;

internal static class RequestMemoryServiceCollectionExtensions
{
    /// <summary>The process-wide request memory budget the body readers reserve from, and the reclaimer that returns a burst's memory.</summary>
    public static IServiceCollection AddMobileViTRequestMemory(this IServiceCollection services)
    {
        services.AddSingleton(sp => RequestMemory.CreateReclaimer(sp.GetRequiredService<MobileViTOptions>().Limits, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => RequestMemory.CreateBudget(sp.GetRequiredService<MobileViTOptions>().Limits, sp.GetRequiredService<InferenceMetrics>(),
            sp.GetRequiredService<RequestMemoryReclaimer>()));
        services.AddHostedService<RequestMemoryStartup>();
        return services;
    }

    /// <summary>At start-up: logs the budget and creates it, so that its gauges are exported from the first scrape.</summary>
    private sealed class RequestMemoryStartup(RequestMemoryBudget budget, MobileViTOptions options, ILogger<RequestMemoryBudget> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            RequestMemory.LogBudget(options.Limits, logger);
            GC.KeepAlive(budget);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
