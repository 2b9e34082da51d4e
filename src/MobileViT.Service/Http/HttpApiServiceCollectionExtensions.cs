using Microsoft.OpenApi;

namespace MobileViT.Service.Http;

internal static class HttpApiServiceCollectionExtensions
{
    public static IServiceCollection AddMobileViTHttpApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<Transport.InferenceExceptionHandler>();
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull);
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "MobileViT.Service",
                Version = "v1",
                Description = "Image classification with MobileViT. Send an encoded image, get the top-k ImageNet classes with softmax scores. " +
                              "Responses carry x-queue-time-ms, x-inference-time-ms and x-batch-size headers. Errors are RFC 7807 problem+json. " +
                              "A model whose `synthetic` flag is true has random weights: its predictions are meaningless.",
            });
            options.OperationFilter<ImageRequestBodyOperationFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, "MobileViT.Service.xml");
            if (File.Exists(xml))
                options.IncludeXmlComments(xml);
        });
        return services;
    }
}
