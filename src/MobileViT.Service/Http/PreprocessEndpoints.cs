using MobileViT.Inference.Configuration;
using MobileViT.Inference.Serving;
using MobileViT.Service.Access;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Http;

/// <summary>
/// <c>POST /v1/models/{name}/preprocess</c>: the image as the model sees it (decode, resize, centre crop by the model's
/// own preprocessor) returned as a PNG in display (RGB) order. It is a request like any other: admitted (keys, rate
/// limits, queue), queued on the model's workers and counted; the crop is the tensor the model was given.
/// </summary>
internal static class PreprocessEndpoints
{
    public static IEndpointRouteBuilder MapPreprocessEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").WithTags("Models")
            .MapPost("/models/{name}/preprocess", PreprocessAsync)
            .WithName("Preprocess")
            .WithSummary("Returns the crop the model is given for an image (e.g. 256x256) as a PNG, channels in RGB order for display.")
            .WithDescription("Runs the model's own preprocessing (EXIF orientation, shortest-edge resize, centre crop, rescale, channel flip) " +
                             "and turns the resulting tensor back into 8-bit RGB: exactly what the network classifies. A tall or wide photo " +
                             "loses its edges here, which explains many surprising predictions. The image is sent as for classify; " +
                             "POST /v1/models/{name}/classify?include=crop returns the same crop with the predictions.")
            .WithMetadata(new ImageRequestBodyMetadata(multipleImages: false), new InferenceEndpoint(ClassifyEndpoints.Protocol))
            .Produces<Stream>(StatusCodes.Status200OK, "image/png")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> PreprocessAsync(string name, HttpContext context, InferenceService inference, MobileViTOptions options)
    {
        using var call = inference.Begin(new InferenceRequest(name, ClassifyEndpoints.Protocol, context.Caller()));
        try
        {
            call.Admit();
            using var upload = await ImageUploadReader.ReadAsync(context.Request, options.Limits.MaxImageBytes, 1, context.RequestAborted);
            var response = await call.RunAsync(upload.ToInput(), RequestedOutput.Logits with { KeepInput = true }, context.RequestAborted);
            var crop = CropImage.Of(call.Model, response.Samples[0].Succeeded().Input!);
            context.Response.Headers.CacheControl = "no-store";
            return Results.File(crop.Data, crop.MediaType);
        }
        catch (Exception e)
        {
            call.Fail(e);
            throw;
        }
    }
}
