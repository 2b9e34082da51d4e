using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Access;

/// <summary>
/// Refuses, before the model is looked up, every inference request without a valid key while keys are configured,
/// and names the caller (the key's name) for the rules after it and for the metrics.
/// </summary>
public sealed class ApiKeyAdmissionRule(ApiKeyStore keys) : IAdmissionRule
{
    public const string MissingCode = "missing-api-key";
    public const string InvalidCode = "invalid-api-key";

    public AdmissionStage Stage => AdmissionStage.Caller;

    public void Admit(AdmissionContext context)
    {
        if (!keys.Enabled)
            return;
        var key = keys.Current.Authenticate(context.Request.Credential);
        if (key is not null)
        {
            context.Client = key.Name;
            return;
        }
        context.Client = ClientLabel.Unauthenticated;
        throw Refusal(context.Request.Credential is not null);
    }

    /// <summary>The refusal of a missing or wrong key, the same for inference and for the other protected routes.</summary>
    public static InferenceException Refusal(bool keyPresented) => keyPresented
        ? new InferenceException(ErrorKind.Unauthenticated, "The API key is not valid.", InvalidCode)
        : new InferenceException(ErrorKind.Unauthenticated,
            "This service needs an API key: send the header 'Authorization: Bearer KEY' (gRPC: metadata 'authorization: Bearer KEY').", MissingCode);
}
