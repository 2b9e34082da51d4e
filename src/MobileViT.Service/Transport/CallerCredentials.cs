using Grpc.Core;
using MobileViT.Inference.Access;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Transport;

/// <summary>What the adapters take from the connection for the core's caller rules: the presented key and the client's address.</summary>
public static class CallerCredentials
{
    public const string AuthorizationMetadata = "authorization";

    public static string? CredentialOf(HttpContext context) => BearerCredential.FromAuthorization(context.Request.Headers.Authorization);

    public static string? CredentialOf(ServerCallContext context) => BearerCredential.FromAuthorization(context.RequestHeaders.GetValue(AuthorizationMetadata));

    public static InferenceRequest WithCallerOf(this InferenceRequest request, HttpContext context) =>
        request with { Credential = CredentialOf(context), ClientAddress = context.Connection.RemoteIpAddress?.ToString() };

    public static InferenceRequest WithCallerOf(this InferenceRequest request, ServerCallContext context) =>
        request with { Credential = CredentialOf(context), ClientAddress = context.GetHttpContext().Connection.RemoteIpAddress?.ToString() };
}
