using Grpc.AspNetCore.Server;
using MobileViT.Inference.Access;

namespace MobileViT.Service.Transport;

/// <summary>
/// The key check of every HTTP route the core does not admit itself (model listing, stats, preprocess, V2 metadata,
/// <c>/metrics</c> when protected, and any route added later): a missing or wrong key gets the same 401 problem as an
/// inference request. gRPC calls are left to <see cref="ApiKeyInterceptor"/>.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyStore keys, PublicRoutes routes)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!keys.Enabled || IsGrpcMethod(context) || routes.SkipsKeyCheck(context))
            return next(context);
        var credential = CallerCredentials.CredentialOf(context);
        if (keys.Current.Authenticate(credential) is not null)
            return next(context);
        return HttpErrorTable.ToResult(ApiKeyAdmissionRule.Refusal(credential is not null), context.GetEndpoint()).ExecuteAsync(context);
    }

    // By the endpoint, not the request's Content-Type, which a client could set on any request to skip this check.
    private static bool IsGrpcMethod(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null;
}
