using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace MobileViT.Service.Http;

/// <summary>Documents the image bodies that the classify endpoints read by hand: raw image bytes or multipart file parts.</summary>
internal sealed class ImageRequestBodyOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var marker = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ImageRequestBodyMetadata>().FirstOrDefault();
        if (marker is null)
            return;

        var binary = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        var content = new Dictionary<string, IOpenApiMediaType>();
        if (marker.MultipleImages)
        {
            content["multipart/form-data"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["images"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = binary, Description = "The images, one file part each; results come back in this order." },
                    },
                    Required = new HashSet<string> { "images" },
                },
            };
        }
        else
        {
            foreach (var type in new[] { "image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "application/octet-stream" })
                content[type] = new OpenApiMediaType { Schema = binary };
            content["multipart/form-data"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema> { ["image"] = binary },
                    Required = new HashSet<string> { "image" },
                },
            };
        }
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The encoded image (JPEG, PNG, WebP, GIF first frame or BMP). Example: " +
                (marker.MultipleImages
                    ? "curl -F images=@cat.jpg -F images=@dog.jpg http://localhost:8080/v1/models/mobilevit-small/classify/batch"
                    : "curl --data-binary @cat.jpg -H 'Content-Type: image/jpeg' 'http://localhost:8080/v1/classify?topK=3'"),
            Content = content,
        };
    }
}
