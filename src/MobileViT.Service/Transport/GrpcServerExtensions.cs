using Grpc.AspNetCore.HealthChecks;
using MobileViT.Service.Health;

namespace MobileViT.Service.Transport;

/// <summary>
/// The gRPC server: its own Kestrel endpoint (<c>Grpc</c>), message limits, the status interceptor every service
/// shares, grpc.health.v1.Health and server reflection. Each protocol adapter maps its own service.
/// </summary>
internal static class GrpcServerExtensions
{
    public static WebApplicationBuilder AddMobileViTGrpc(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(GrpcOptions.SectionName).Get<GrpcOptions>() ?? new GrpcOptions();
        builder.Services.AddOptions<GrpcOptions>().Bind(builder.Configuration.GetSection(GrpcOptions.SectionName))
            .Validate(o => o.MaxInFlightPerStream > 0 && o.MaxReceiveMessageBytes > 0 && o.MaxSendMessageBytes > 0,
                $"{GrpcOptions.SectionName}: MaxInFlightPerStream, MaxReceiveMessageBytes and MaxSendMessageBytes must be positive.")
            .ValidateOnStart();

        var endpoint = new GrpcEndpoint();
        builder.Services.AddSingleton(endpoint);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigurationLoader?.Endpoint(GrpcEndpoint.Name, e => endpoint.Configure(e.ListenOptions, e.IsHttps)));

        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageBytes;
            grpc.MaxSendMessageSize = options.MaxSendMessageBytes;
            grpc.Interceptors.Add<InferenceStatusInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(health =>
        {
            // "" is the whole server; each service answers for itself. All mean: ready to serve inference.
            health.Services.Clear();
            foreach (var service in new[] { "", "mobilevit.v1.Classifier", "inference.GRPCInferenceService" })
                health.Services.Map(service, r => r.Tags.Contains(HealthChecksExtensions.ReadyTag));
            health.Services.Map("liveness", r => r.Tags.Contains(HealthChecksExtensions.LiveTag));
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapMobileViTGrpcServer(this IEndpointRouteBuilder app)
    {
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService();
        return app;
    }
}
