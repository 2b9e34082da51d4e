namespace MobileViT.Service.Http;

/// <summary>Marks an endpoint that reads images from its body itself, so the OpenAPI document can describe that body.</summary>
internal sealed class ImageRequestBodyMetadata(bool multipleImages)
{
    public bool MultipleImages { get; } = multipleImages;
}
