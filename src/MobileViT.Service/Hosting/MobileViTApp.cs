using MobileViT.Service.Grpc;
using MobileViT.Service.Health;
using MobileViT.Service.Http;
using MobileViT.Service.KServe;
using MobileViT.Service.Telemetry;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Hosting;

/// <summary>Composes the web application; tests build it the same way with their own configuration.</summary>
internal static class MobileViTApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json ships beside the binaries: find it whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);

        builder.Services.AddMobileViTInference(builder.Configuration, builder.Environment);
        builder.Services.AddMobileViTHttpApi();
        builder.Services.AddMobileViTHealthChecks();
        builder.AddMobileViTGrpc();
        builder.AddMobileViTKestrelLimits();
        builder.Services.AddMobileViTTelemetry(builder.Configuration);
        builder.Services.AddMobileViTGracefulShutdown(builder.Configuration);
        builder.Services.AddMobileViTLiveStats();
        builder.Services.AddMobileViTAccess(builder.Configuration);
        builder.Services.AddOptions<WarmUpOptions>().Bind(builder.Configuration.GetSection(WarmUpOptions.SectionName));
        builder.Services.AddHostedService<RequestPathWarmUp>();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSwagger();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/swagger/v1/swagger.json", "MobileViT.Service v1");
            options.DocumentTitle = "MobileViT.Service";
        });
        // After Swagger, whose UI and document are public; every endpoint below needs the fallback policy unless it says otherwise.
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapMobileViTHealthChecks();
        app.MapMobileViTTelemetry();
        app.MapModelEndpoints();
        app.MapClassifyEndpoints();
        app.MapPreprocessEndpoints();
        app.MapStatsEndpoints();
        app.MapClassifierGrpc();
        app.MapKServeV2();
        app.MapMobileViTGrpcServer();
        app.MapWebPage();
        return app;
    }
}
