using MobileViT.Inference.Configuration;

namespace MobileViT.Inference.Tests.Batching;

/// <summary>The admission settings are checked at start-up, each error naming its key.</summary>
public sealed class BatchingOptionsValidationTests
{
    private static MobileViTOptions With(Action<BatchingOptions> change)
    {
        var options = new MobileViTOptions { Models = [new ModelOptions { Name = "m", Source = "synthetic:xxs" }] };
        change(options.Batching);
        return options;
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new MobileViTOptionsValidator().Validate(null, With(_ => { })).Succeeded);
    }

    [Theory]
    [InlineData("AdmissionQuantile")]
    [InlineData("AdmissionCalibrationWindowMs")]
    [InlineData("Priority__NormalGuaranteedShare")]
    [InlineData("Priority__LowGuaranteedShare")]
    public void A_bad_admission_setting_is_an_error_naming_it(string key)
    {
        var options = With(b =>
        {
            switch (key)
            {
                case "AdmissionQuantile": b.AdmissionQuantile = 0.2; break;
                case "AdmissionCalibrationWindowMs": b.AdmissionCalibrationWindowMs = 10; break;
                case "Priority__NormalGuaranteedShare": b.Priority.NormalGuaranteedShare = 0.7; break;
                default: b.Priority.LowGuaranteedShare = -0.1; break;
            }
        });

        var result = new MobileViTOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("MobileViT__Batching__" + key, result.FailureMessage);
    }

    [Fact]
    public void The_guaranteed_shares_leave_at_least_half_of_the_images_to_the_priorities_above()
    {
        var result = new MobileViTOptionsValidator().Validate(null, With(b => b.Priority = new PriorityOptions { NormalGuaranteedShare = 0.3, LowGuaranteedShare = 0.3 }));

        Assert.True(result.Failed);
        Assert.Contains("add up to at most 0.5", result.FailureMessage);
    }
}
