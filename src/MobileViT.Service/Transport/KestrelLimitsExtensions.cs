namespace MobileViT.Service.Transport;

/// <summary>
/// Binds <c>Kestrel:Limits</c> (appsettings.json, or <c>Kestrel__Limits__...</c>) onto Kestrel's limits, which
/// Kestrel does not read from configuration by itself: header size (431), request line (414), header count, the
/// headers and keep-alive timeouts, and HTTP/2 streams per connection. Limits not named keep Kestrel's defaults.
/// </summary>
internal static class KestrelLimitsExtensions
{
    public const string SectionName = "Kestrel:Limits";

    public static WebApplicationBuilder AddMobileViTKestrelLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) => context.Configuration.GetSection(SectionName).Bind(kestrel.Limits));
        return builder;
    }
}
