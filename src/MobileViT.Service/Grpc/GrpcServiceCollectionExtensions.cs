using Grpc.AspNetCore.HealthChecks;
using MobileViT.Service.Health;
using MobileViT.Service.KServe;

namespace MobileViT.Service.Grpc;

/// <summary>gRPC: the Classifier and KServe V2 services, grpc.health.v1.Health and server reflection, on the <c>Grpc</c> Kestrel endpoint.</summary>
public static class GrpcServiceCollectionExtensions
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
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigurationLoader?.Endpoint(GrpcEndpoint.Name, e => endpoint.Configure(e.ListenOptions)));

        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageBytes;
            grpc.MaxSendMessageSize = options.MaxSendMessageBytes;
            grpc.Interceptors.Add<InferenceStatusInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<V2InferenceRunner>();
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

    public static IEndpointRouteBuilder MapMobileViTGrpc(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<ClassifierService>();
        app.MapGrpcService<GrpcInferenceService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
