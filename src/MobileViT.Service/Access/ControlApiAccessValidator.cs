using Microsoft.Extensions.Options;
using MobileViT.Inference.Access;
using MobileViT.Inference.Configuration;

namespace MobileViT.Service.Access;

/// <summary>
/// Start-up validation of the control API (<c>MobileViT:Repository:ControlApi</c>): it changes what the service runs,
/// so it needs a key with the <c>admin</c> scope. With no such key (in particular with no keys at all, when every
/// caller is anonymous and may only infer) nobody could call it, so enabling it is refused here, with the remedy,
/// rather than left silently unusable. Problems with the keys themselves are <see cref="AccessOptionsValidator"/>'s.
/// </summary>
internal sealed class ControlApiAccessValidator(IConfiguration configuration) : IValidateOptions<MobileViTOptions>
{
    public ValidateOptionsResult Validate(string? name, MobileViTOptions options)
    {
        if (!options.Repository.ControlApi)
            return ValidateOptionsResult.Success;
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        ApiKeySet keys;
        try
        {
            keys = ApiKeyStore.LoadConfigured(auth);
            if (auth.KeyFile is { } file)
                keys = keys.Concat(ApiKeyStore.ParseFile(ApiKeyStore.Read(file).Text, file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return ValidateOptionsResult.Success;
        }
        return keys.Keys.Any(k => k.Scopes.Contains(ApiKeyScopes.Admin))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                "MobileViT__Repository__ControlApi=true needs an API key with the admin scope, and none is configured: add a line " +
                "'name:key scopes=infer,admin' to MobileViT__Auth__ApiKeysFile (or MobileViT__Auth__ApiKeys__N). Without API keys every caller is " +
                "anonymous and may only run inference, so nobody could use the control API.");
    }
}
