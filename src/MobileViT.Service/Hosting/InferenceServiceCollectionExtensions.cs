using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Models.Repository;
using MobileViT.Inference.Models.Shadow;
using MobileViT.Inference.Runtime;
using MobileViT.Inference.Serving;
using MobileViT.Inference.Sources;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.Hosting;

internal static class InferenceServiceCollectionExtensions
{
    /// <summary>The model served when neither <c>MobileViT:Models</c> nor a repository says otherwise.</summary>
    public const string DefaultModelName = "mobilevit-small";

    public const string DefaultModelSource = "hf:Xenova/mobilevit-small";

    /// <summary>
    /// Binds and validates <c>MobileViT</c> settings and registers the inference core: sources, sessions, batchers, model
    /// loading, the repository and its versions, shadow evaluation.
    /// </summary>
    public static IServiceCollection AddMobileViTInference(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<MobileViTOptions>()
            .Bind(configuration.GetSection(MobileViTOptions.SectionName))
            .PostConfigure(options =>
            {
                // Out of the box, one model; with a repository, its models alone unless models are also configured.
                if (options.Models.Count == 0 && options.Repository.Directory is null)
                    options.Models.Add(new ModelOptions { Name = DefaultModelName, Source = DefaultModelSource });
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MobileViTOptions>, MobileViTOptionsValidator>();
        services.AddSingleton<IValidateOptions<MobileViTOptions>, RepositoryOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MobileViTOptions>>().Value);

        services.AddSingleton(sp => new InferenceMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<ModelStatistics>();
        services.AddSingleton<SessionFactory>();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<VersionLoader>();
        services.AddSingleton<VersionSwitcher>();
        services.AddSingleton<ModelRepository>();
        services.AddSingleton<ModelVersionMetrics>();
        services.AddSingleton<ShadowEvaluator>();
        // The version and shadow instruments exist from the start, so a scrape sees them before the first change.
        services.AddHostedService<StartupActivation<ModelVersionMetrics>>();
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
