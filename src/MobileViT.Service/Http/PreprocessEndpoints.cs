using MobileViT.Inference.Configuration;
using MobileViT.Inference.Inspection;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Http;

/// <summary>
/// <c>POST /v1/models/{name}/preprocess</c>: the image as the model sees it (decode, resize, centre crop by the model's
/// own preprocessor) returned as a PNG in display (RGB) order. Nothing is queued or run on the model's sessions.
/// </summary>
public static class PreprocessEndpoints
{
    public static IEndpointRouteBuilder MapPreprocessEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").WithTags("Models")
            .MapPost("/models/{name}/preprocess", PreprocessAsync)
            .WithName("Preprocess")
            .WithSummary("Returns the crop the model is given for an image (e.g. 256x256) as a PNG, channels in RGB order for display.")
            .WithDescription("Runs the model's own preprocessing (EXIF orientation, shortest-edge resize, centre crop, rescale, channel flip) " +
                             "and turns the resulting tensor back into 8-bit RGB: exactly what the network classifies. A tall or wide photo " +
                             "loses its edges here, which explains many surprising predictions. The image is sent as for classify.")
            .WithMetadata(new ImageRequestBodyMetadata(multipleImages: false))
            .Produces<Stream>(StatusCodes.Status200OK, "image/png")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> PreprocessAsync(string name, HttpContext context, ModelRegistry registry, MobileViTOptions options)
    {
        // Not an inference request: nothing is counted, but refusals and bad images take the same error path.
        var model = registry.GetAdmitting(name);
        using var upload = await ImageUploadReader.ReadAsync(context.Request, options.Limits.MaxImageBytes, 1, context.RequestAborted);
        var png = ModelInputImage.EncodePng(model.Preprocessor, upload.Images[0].Bytes.Span);
        context.Response.Headers.CacheControl = "no-store";
        return Results.File(png, "image/png");
    }
}
