using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MobileViT.Service.Transport;

/// <summary>Turns expected failures of unary calls into their gRPC status (<see cref="GrpcStatusTable"/>), so services just throw.</summary>
internal sealed class InferenceStatusInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException && GrpcStatusTable.ToStatus(e) is { } status)
        {
            throw new RpcException(status, GrpcStatusTable.TrailersFor(e));
        }
    }
}
