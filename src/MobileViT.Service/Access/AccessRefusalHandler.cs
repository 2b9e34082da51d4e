using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using MobileViT.Inference.Access;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Access;

/// <summary>
/// Answers a caller the authorization policies refuse, in the protocol of the endpoint it called: 401 (missing or wrong
/// key, with a Bearer challenge) or 403 (a key without the scope) as problem+json or the route's own error body
/// (<see cref="HttpErrorTable"/>), and <c>UNAUTHENTICATED</c> / <c>PERMISSION_DENIED</c> on gRPC methods. A refused
/// inference request (its endpoint carries <see cref="InferenceEndpoint"/>) is counted through the core like any
/// other refusal, with the <c>client</c> label <see cref="ClientLabel.Unauthenticated"/>.
/// </summary>
internal sealed class AccessRefusalHandler(InferenceService inference) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Challenged && !authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        var refusal = authorizeResult.Forbidden ? Forbidden()
            : context.Features.Get<AuthenticationLimited>() is { } limited ? TooManyFailures(limited.RetryAfter)
            : await UnauthenticatedAsync(context);
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<InferenceEndpoint>() is { } inferenceEndpoint)
        {
            var caller = authorizeResult.Forbidden ? context.Caller() : new Caller(ClientLabel.Unauthenticated, context.Connection.RemoteIpAddress?.ToString());
            using var call = inference.Begin(new InferenceRequest(null, inferenceEndpoint.Protocol, caller));
            call.Fail(refusal);
        }
        if (endpoint?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null)
            GrpcTrailersOnly.Write(context.Response, GrpcStatusTable.ToStatus(refusal)!.Value, GrpcStatusTable.TrailersFor(refusal));
        else
            await HttpErrorTable.ToResult(refusal, endpoint).ExecuteAsync(context);
    }

    /// <summary>A wrong key (the scheme's result, cached for the request, is a failure) or a missing one (no result).</summary>
    private static async Task<InferenceException> UnauthenticatedAsync(HttpContext context) =>
        (await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName)).Failure is not null
            ? new InferenceException(ErrorKind.Unauthenticated, "The API key is not valid.", ErrorCodes.InvalidApiKey)
            : new InferenceException(ErrorKind.Unauthenticated,
                "This service needs an API key: send the header 'Authorization: Bearer KEY' (gRPC: metadata 'authorization: Bearer KEY').",
                ErrorCodes.MissingApiKey);

    private static InferenceException TooManyFailures(TimeSpan retryAfter) => new(ErrorKind.RateLimited,
        $"Too many wrong API keys from this address; no key is checked from it for {Math.Ceiling(retryAfter.TotalSeconds):0} s.",
        ErrorCodes.TooManyFailedAuthentications, retryAfter);

    private static InferenceException Forbidden() =>
        new(ErrorKind.PermissionDenied, "This API key may not call this route: it needs the admin scope (scopes=infer,admin in the key file).");
}
