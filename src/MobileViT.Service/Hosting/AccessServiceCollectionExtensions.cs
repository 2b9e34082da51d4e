using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Access;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Hosting;

public static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// API keys (<c>MobileViT:Auth</c>) and per-client rate limits (<c>MobileViT:RateLimit</c>): the key store, the
    /// core's caller rules (key first, so that the rate limit knows the key's name) and the transport's public routes.
    /// </summary>
    public static IServiceCollection AddMobileViTAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateOnStart();
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<AccessOptionsValidator>();
        services.AddSingleton<IValidateOptions<AuthOptions>>(sp => sp.GetRequiredService<AccessOptionsValidator>());
        services.AddSingleton<IValidateOptions<RateLimitOptions>>(sp => sp.GetRequiredService<AccessOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<IAdmissionRule, ApiKeyAdmissionRule>();
        services.AddSingleton<IAdmissionRule, ClientRateLimitRule>();
        services.AddSingleton<PublicRoutes>();
        return services;
    }

    /// <summary>The key check of the routes the core does not admit itself; after Swagger, whose UI and document are public.</summary>
    public static IApplicationBuilder UseMobileViTApiKeys(this IApplicationBuilder app) => app.UseMiddleware<ApiKeyMiddleware>();
}
