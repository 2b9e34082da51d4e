using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Access;

namespace MobileViT.Service.Access;

/// <summary>
/// The <c>ApiKey</c> authentication scheme, for every route and gRPC method alike (a gRPC call's <c>authorization</c>
/// metadata is its HTTP/2 <c>Authorization</c> header): <c>Authorization: Bearer KEY</c> (RFC 6750) against the keys in
/// force (<see cref="ApiKeyStore"/>, rotation included). With no keys configured every caller is
/// <see cref="ClientLabel.Anonymous"/> with the <see cref="ApiKeyScopes.Infer"/> scope. A missing key gives no result
/// and a wrong one a failure, which counts against the client address (<see cref="FailedAuthenticationLimiter"/>: an
/// address over its limit is refused before any key is checked); <see cref="AccessRefusalHandler"/> answers them all.
/// Keys are never logged.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyStore keys, FailedAuthenticationLimiter failures, WarmUpCredential warmUp) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string BearerScheme = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Context.Connection.RemoteIpAddress is { } from && System.Net.IPAddress.IsLoopback(from) && warmUp.Matches(Request.Headers[WarmUpCredential.Header]))
            return Task.FromResult(Success(WarmUpCredential.CallerName, ApiKeyScopes.Default));
        if (!keys.Enabled)
            return Task.FromResult(Success(ClientLabel.Anonymous, ApiKeyScopes.Default));
        var presented = BearerToken(Request.Headers.Authorization);
        if (presented is null)
            return Task.FromResult(AuthenticateResult.NoResult());
        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (failures.RetryAfter(address) is { } retryAfter)
        {
            Context.Features.Set(new AuthenticationLimited(retryAfter));
            return Task.FromResult(AuthenticateResult.Fail("Too many wrong keys from this address."));
        }
        var key = keys.Current.Authenticate(presented);
        if (key is not null)
            return Task.FromResult(Success(key.Name, key.Scopes));
        failures.RecordFailure(address);
        return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
    }

    private AuthenticateResult Success(string name, IEnumerable<string> scopes)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(scopes.Select(scope => new Claim(AccessPolicies.ScopeClaim, scope)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>The key after <c>Bearer </c> (scheme case-insensitive); null when there is no such header or it has another scheme.</summary>
    internal static string? BearerToken(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
            return null;
        var value = header.Trim();
        if (value.Length <= BearerScheme.Length + 1 || !value.StartsWith(BearerScheme, StringComparison.OrdinalIgnoreCase) || value[BearerScheme.Length] != ' ')
            return null;
        var key = value[(BearerScheme.Length + 1)..].Trim();
        return key.Length == 0 ? null : key;
    }
}
