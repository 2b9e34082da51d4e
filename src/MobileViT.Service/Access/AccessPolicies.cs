using Microsoft.AspNetCore.Authorization;
using MobileViT.Inference.Access;

namespace MobileViT.Service.Access;

/// <summary>
/// The authorization policies: the fallback, which every endpoint without its own attributes gets (an authenticated
/// caller with the <see cref="ApiKeyScopes.Infer"/> scope), and <see cref="Admin"/> for model management. The few public
/// endpoints say <c>AllowAnonymous</c> where they are mapped.
/// </summary>
internal static class AccessPolicies
{
    public const string ScopeClaim = "scope";

    /// <summary>Model management: a key with the <see cref="ApiKeyScopes.Admin"/> scope.</summary>
    public const string Admin = "admin";

    public static void Configure(AuthorizationOptions options)
    {
        options.FallbackPolicy = Scoped(ApiKeyScopes.Infer);
        options.DefaultPolicy = options.FallbackPolicy;
        options.AddPolicy(Admin, Scoped(ApiKeyScopes.Admin));
    }

    private static AuthorizationPolicy Scoped(string scope) => new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName)
        .RequireAuthenticatedUser()
        .RequireClaim(ScopeClaim, scope)
        .Build();
}
