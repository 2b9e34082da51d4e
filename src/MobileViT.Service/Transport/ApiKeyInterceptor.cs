using Grpc.Core;
using Grpc.Core.Interceptors;
using MobileViT.Inference.Access;

namespace MobileViT.Service.Transport;

/// <summary>
/// The key check of every gRPC method the core does not admit itself (ListModels, V2 metadata, reflection, and the
/// ClassifyStream call as a whole, whose items the core checks again): <c>UNAUTHENTICATED</c> before the handler runs.
/// </summary>
public sealed class ApiKeyInterceptor(ApiKeyStore keys, PublicRoutes routes) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (!keys.Enabled || routes.SkipsKeyCheck(context.GetHttpContext()))
            return;
        var credential = CallerCredentials.CredentialOf(context);
        if (keys.Current.Authenticate(credential) is null)
            {
            var refusal = ApiKeyAdmissionRule.Refusal(credential is not null);
            throw new RpcException(new Status(GrpcStatusTable.For(refusal.Kind), refusal.Message));
        }
    }
}
