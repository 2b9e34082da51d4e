using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace MobileViT.Service.Access;

/// <summary>The API key in the OpenAPI document, so that Swagger UI's "Authorize" sends it as the service expects; the document itself needs none.</summary>
internal sealed class ApiKeySwaggerScheme : IConfigureOptions<SwaggerGenOptions>
{
    public void Configure(SwaggerGenOptions options)
    {
        options.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The API key (MobileViT__Auth__ApiKeysFile or MobileViT__Auth__ApiKeys), sent as 'Authorization: Bearer KEY'. Only needed when keys are configured.",
        });
        options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
        });
    }
}
