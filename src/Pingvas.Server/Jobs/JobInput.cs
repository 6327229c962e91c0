namespace Pingvas.Server.Jobs;

/// <summary>
/// Something a job uses beyond its init image and mask (table <c>job_inputs</c>): a control or
/// reference image, a workflow's input image, a LoRA. Written with the job; deleting an image or a
/// LoRA is refused while a waiting or running job names it (<see cref="JobInputs"/>).
/// </summary>
public sealed class JobInput
{
    public Guid JobId { get; set; }

    public Guid UserId { get; set; }

    /// <summary><see cref="JobInputKinds.Image"/> or <see cref="JobInputKinds.Lora"/>.</summary>
    public required string Kind { get; set; }

    public Guid RefId { get; set; }
}

public static class JobInputKinds
{
    public const string Image = "image";
    public const string Lora = "lora";
}
