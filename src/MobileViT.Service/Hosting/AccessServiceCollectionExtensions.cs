using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Access;
using MobileViT.Inference.Serving;
using MobileViT.Service.Access;

namespace MobileViT.Service.Hosting;

internal static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// API keys (<c>MobileViT:Auth</c>) as the one authentication scheme, the authorization policies every endpoint gets
    /// (<see cref="AccessPolicies"/>), the refusal answered in each endpoint's protocol, and per-client rate limits
    /// (<c>MobileViT:RateLimit</c>), a core admission rule fed by the authenticated caller.
    /// </summary>
    public static IServiceCollection AddMobileViTAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateOnStart();
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<AccessOptionsValidator>();
        services.AddSingleton<IValidateOptions<AuthOptions>>(sp => sp.GetRequiredService<AccessOptionsValidator>());
        services.AddSingleton<IValidateOptions<RateLimitOptions>>(sp => sp.GetRequiredService<AccessOptionsValidator>());
        services.AddSingleton<IValidateOptions<Inference.Configuration.MobileViTOptions>, ControlApiAccessValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyStore>();
        services.AddHostedService<StartupActivation<ApiKeyStore>>();
        services.AddSingleton<FailedAuthenticationLimiter>();
        services.AddSingleton<WarmUpCredential>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(AccessPolicies.Configure);
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AccessRefusalHandler>();
        services.AddSingleton<IConfigureOptions<Swashbuckle.AspNetCore.SwaggerGen.SwaggerGenOptions>, ApiKeySwaggerScheme>();
        services.AddSingleton<IAdmissionRule, ClientRateLimitRule>();
        return services;
    }
}
