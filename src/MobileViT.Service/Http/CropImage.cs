using MobileViT.Inference.Inspection;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Http;

/// <summary>The crop a model was given, as a PNG in display (RGB) order: what <c>include=crop</c> returns with the predictions.</summary>
internal sealed record CropImage(int Width, int Height, string MediaType, byte[] Data)
{
    public static CropImage Of(ServedModel model, float[] tensor)
    {
        var signature = model.Signature;
        var png = ModelInputImage.EncodePng(model.Preprocessor.Config, tensor, signature.Width, signature.Height);
        return new CropImage(signature.Width, signature.Height, "image/png", png);
    }
}
