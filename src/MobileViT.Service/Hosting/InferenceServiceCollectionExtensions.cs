using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Runtime;
using MobileViT.Inference.Serving;
using MobileViT.Inference.Sources;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.Hosting;

internal static class InferenceServiceCollectionExtensions
{
    /// <summary>Binds and validates <c>MobileViT</c> settings and registers the inference core: sources, sessions, batchers, model loading.</summary>
    public static IServiceCollection AddMobileViTInference(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<MobileViTOptions>()
            .Bind(configuration.GetSection(MobileViTOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MobileViTOptions>, MobileViTOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MobileViTOptions>>().Value);

        services.AddSingleton(sp => new InferenceMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<ModelStatistics>();
        services.AddSingleton<SessionFactory>();
        services.AddSingleton<ModelRegistry>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<InferenceService>();
        services.AddSingleton<IAdmissionRule, WaitAwareAdmissionRule>();
        services.AddMobileViTRequestMemory();
        services.AddHttpClient<HuggingFaceHubClient>(http => http.Timeout = TimeSpan.FromMinutes(10))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) });
        services.AddSingleton(sp => HuggingFaceHubSettings.Resolve(sp.GetRequiredService<MobileViTOptions>().HuggingFace));
        services.AddSingleton(sp => new ModelSourceResolver(
            sp.GetRequiredService<HuggingFaceHubClient>(),
            sp.GetRequiredService<MobileViTOptions>().FallbackToSynthetic ?? environment.IsDevelopment(),
            sp.GetRequiredService<ILogger<ModelSourceResolver>>()));
        services.AddHostedService<ModelLoaderService>();
        return services;
    }
}
