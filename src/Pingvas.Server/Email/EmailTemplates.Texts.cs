namespace Pingvas.Server.Email;

/// <summary>
/// The words of each email, Korean and English. A sentence that needs a data key that is missing
/// is left out (<see cref="Lines"/>), so a template never shows a blank or a placeholder.
/// Data keys: welcome, verify_email: token (verify_email also purpose=change for a new address);
/// password_reset: token; email_changed: newEmail; credits_low: balance, date (period end);
/// credits_exhausted: date; subscription_* and payment_failed: plan, interval (monthly|annual),
/// date (ISO-8601 renewal / end / grace date), amount (minor units), currency; export_ready: url
/// (the signed download link), date (yyyy-MM-dd, when it expires); batch_finished: count, prompt;
/// job_failed: prompt, reason; webhook_disabled: url (the endpoint).
/// </summary>
public sealed partial class EmailTemplates
{
    private static readonly Dictionary<string, Pair> Texts = new()
    {
        [EmailKinds.Welcome] = new(
            c => new("Pingvas Studio에 오신 것을 환영해요", $"{c.Name}님, 환영해요!",
                [
                    "Pingvas Studio에 가입해 주셔서 고마워요.",
                    "아래 버튼으로 이메일 주소를 인증하면 무료 플랜의 월간 크레딧을 받을 수 있어요. 링크는 48시간 동안 한 번만 쓸 수 있어요.",
                    "가입한 적이 없다면 이 메일은 무시해 주세요.",
                ],
                "이메일 인증하기", c.TokenLink("/verify-email")),
            c => new("Welcome to Pingvas Studio", $"Welcome, {c.Name}!",
                [
                    "Thank you for signing up for Pingvas Studio.",
                    "Confirm your email address with the button below to receive the Free plan's monthly credits. The link works once, for 48 hours.",
                    "If you did not sign up, you can ignore this email.",
                ],
                "Confirm my email", c.TokenLink("/verify-email"))),

        [EmailKinds.VerifyEmail] = new(
            c => new("이메일 주소를 인증해 주세요", "이메일 주소 인증",
                c["purpose"] == "change"
                    ? ["이 주소를 Pingvas Studio 계정의 새 이메일로 쓰려면 아래 버튼을 눌러 주세요. 링크는 24시간 동안 한 번만 쓸 수 있어요.", "요청한 적이 없다면 이 메일은 무시해 주세요."]
                    : ["아래 버튼을 눌러 이 주소가 본인의 것임을 인증해 주세요. 링크는 48시간 동안 한 번만 쓸 수 있어요.", "요청한 적이 없다면 이 메일은 무시해 주세요."],
                "이메일 인증하기", c.TokenLink("/verify-email")),
            c => new("Confirm your email address", "Confirm your email address",
                c["purpose"] == "change"
                    ? ["Open the link below to make this address the email of your Pingvas Studio account. The link works once, for 24 hours.", "If you did not ask for this, you can ignore this email."]
                    : ["Open the link below to confirm that this address is yours. The link works once, for 48 hours.", "If you did not ask for this, you can ignore this email."],
                "Confirm my email", c.TokenLink("/verify-email"))),

        [EmailKinds.PasswordReset] = new(
            c => new("비밀번호 재설정 안내", "비밀번호를 재설정하세요",
                [
                    "Pingvas Studio 계정의 비밀번호 재설정이 요청되었어요. 아래 버튼을 눌러 새 비밀번호를 정해 주세요.",
                    "링크는 1시간 동안 한 번만 쓸 수 있어요. 비밀번호를 바꾸면 모든 기기에서 로그아웃돼요.",
                    "요청한 적이 없다면 이 메일은 무시해 주세요. 비밀번호는 그대로 유지돼요.",
                ],
                "새 비밀번호 정하기", c.TokenLink("/reset-password")),
            c => new("Reset your password", "Reset your password",
                [
                    "Someone asked to reset the password of your Pingvas Studio account. Choose a new one with the button below.",
                    "The link works once, for one hour. Changing the password signs you out on every device.",
                    "If you did not ask for this, ignore this email: your password stays as it is.",
                ],
                "Choose a new password", c.TokenLink("/reset-password"))),

        [EmailKinds.EmailChanged] = new(
            c => new("계정 이메일 변경 요청", "계정 이메일 변경이 요청되었어요",
                Lines(
                    c["newEmail"] is { } to ? $"Pingvas Studio 계정의 이메일을 {to}(으)로 바꾸는 요청이 있었어요." : "Pingvas Studio 계정의 이메일을 바꾸는 요청이 있었어요.",
                    "새 주소가 인증되면 그 주소로 로그인하게 돼요.",
                    "본인이 요청하지 않았다면 지금 바로 비밀번호를 바꿔 주세요."),
                "계정 확인하기", c.Link("/account")),
            c => new("Your account's email is being changed", "A change of email was requested",
                Lines(
                    c["newEmail"] is { } to ? $"Someone asked to change the email of your Pingvas Studio account to {to}." : "Someone asked to change the email of your Pingvas Studio account.",
                    "Once the new address is confirmed, it is the one you sign in with.",
                    "If this was not you, change your password now."),
                "Review my account", c.Link("/account"))),

        [EmailKinds.CreditsLow] = new(
            c => new("크레딧이 얼마 남지 않았어요", "크레딧이 얼마 남지 않았어요",
                Lines(
                    c["balance"] is { } balance ? $"남은 크레딧은 {balance}이에요." : null,
                    c["date"] is { } date ? $"플랜 크레딧은 {date}에 새로 충전돼요." : null,
                    "그 전에 더 쓰려면 크레딧을 추가로 구매하거나 플랜을 업그레이드해 주세요."),
                "크레딧 확인하기", c.Link("/credits")),
            c => new("Your credits are running low", "Your credits are running low",
                Lines(
                    c["balance"] is { } balance ? $"You have {balance} credits left." : null,
                    c["date"] is { } date ? $"Your plan's credits renew on {date}." : null,
                    "To keep generating before then, buy a top-up or upgrade your plan."),
                "See my credits", c.Link("/credits"))),

        [EmailKinds.CreditsExhausted] = new(
            c => new("크레딧을 모두 사용했어요", "크레딧을 모두 사용했어요",
                Lines(
                    "이번 기간의 크레딧을 모두 사용해서 새 이미지를 만들 수 없어요.",
                    c["date"] is { } date ? $"플랜 크레딧은 {date}에 새로 충전돼요." : null,
                    "지금 계속하려면 크레딧을 추가로 구매하거나 플랜을 업그레이드해 주세요."),
                "크레딧 구매하기", c.Link("/billing")),
            c => new("You have used all your credits", "You have used all your credits",
                Lines(
                    "You have used all the credits of this period, so new images cannot be generated.",
                    c["date"] is { } date ? $"Your plan's credits renew on {date}." : null,
                    "To continue now, buy a top-up or upgrade your plan."),
                "Get more credits", c.Link("/billing"))),

        [EmailKinds.SubscriptionStarted] = new(
            c => new("구독이 시작되었어요", c["plan"] is { } plan ? $"{plan} 플랜을 시작했어요" : "구독이 시작되었어요",
                Lines(
                    "구독해 주셔서 고마워요. 새 플랜의 크레딧을 지금 바로 쓸 수 있어요.",
                    KoInterval(c) is { } interval ? $"결제 주기: {interval}" : null,
                    c.Money() is { } money ? $"결제 금액: {money}" : null,
                    c["date"] is { } date ? $"다음 갱신일: {date}" : null),
                "결제 관리", c.Link("/billing")),
            c => new("Your subscription has started", c["plan"] is { } plan ? $"Welcome to the {plan} plan" : "Your subscription has started",
                Lines(
                    "Thank you for subscribing. The credits of your new plan are ready to use.",
                    EnInterval(c) is { } interval ? $"Billing: {interval}" : null,
                    c.Money() is { } money ? $"Amount paid: {money}" : null,
                    c["date"] is { } date ? $"Next renewal: {date}" : null),
                "Manage billing", c.Link("/billing"))),

        [EmailKinds.SubscriptionChanged] = new(
            c => new("구독 플랜이 변경되었어요", "구독 플랜이 변경되었어요",
                Lines(
                    c["plan"] is { } plan ? $"새 플랜: {plan}" : "구독 플랜이 변경되었어요.",
                    KoInterval(c) is { } interval ? $"결제 주기: {interval}" : null,
                    c["date"] is { } date ? $"적용일: {date}" : null,
                    c.Money() is { } money ? $"금액: {money}" : null),
                "결제 관리", c.Link("/billing")),
            c => new("Your plan has changed", "Your plan has changed",
                Lines(
                    c["plan"] is { } plan ? $"New plan: {plan}" : "Your subscription's plan has changed.",
                    EnInterval(c) is { } interval ? $"Billing: {interval}" : null,
                    c["date"] is { } date ? $"Effective: {date}" : null,
                    c.Money() is { } money ? $"Amount: {money}" : null),
                "Manage billing", c.Link("/billing"))),

        [EmailKinds.SubscriptionCancelled] = new(
            c => new("구독이 취소되었어요", "구독이 취소되었어요",
                Lines(
                    c["plan"] is { } plan ? $"{plan} 플랜 구독이 취소되었어요." : "구독이 취소되었어요.",
                    c["date"] is { } date ? $"{date}까지는 지금 플랜을 그대로 쓸 수 있고, 그 뒤에는 무료 플랜으로 바뀌어요." : "기간이 끝나면 무료 플랜으로 바뀌어요.",
                    "마음이 바뀌면 기간이 끝나기 전에 결제 페이지에서 구독을 다시 이어갈 수 있어요."),
                "결제 관리", c.Link("/billing")),
            c => new("Your subscription was cancelled", "Your subscription was cancelled",
                Lines(
                    c["plan"] is { } plan ? $"Your {plan} subscription was cancelled." : "Your subscription was cancelled.",
                    c["date"] is { } date ? $"You keep your plan until {date}; then your account moves to the Free plan." : "At the end of the period your account moves to the Free plan.",
                    "Changed your mind? Resume the subscription on the billing page before the period ends."),
                "Manage billing", c.Link("/billing"))),

        [EmailKinds.SubscriptionRenewed] = new(
            c => new("구독이 갱신되었어요", "구독이 갱신되었어요",
                Lines(
                    c["plan"] is { } plan ? $"{plan} 플랜이 갱신되어 새 기간의 크레딧이 충전되었어요." : "구독이 갱신되어 새 기간의 크레딧이 충전되었어요.",
                    c.Money() is { } money ? $"결제 금액: {money}" : null,
                    c["date"] is { } date ? $"다음 갱신일: {date}" : null),
                "결제 관리", c.Link("/billing")),
            c => new("Your subscription was renewed", "Your subscription was renewed",
                Lines(
                    c["plan"] is { } plan ? $"Your {plan} plan was renewed and the new period's credits are ready." : "Your subscription was renewed and the new period's credits are ready.",
                    c.Money() is { } money ? $"Amount paid: {money}" : null,
                    c["date"] is { } date ? $"Next renewal: {date}" : null),
                "Manage billing", c.Link("/billing"))),

        [EmailKinds.PaymentFailed] = new(
            c => new("결제에 실패했어요", "결제에 실패했어요",
                Lines(
                    (c["plan"], c.Money()) switch
                    {
                        ({ } plan, { } money) => $"{plan} 플랜의 {money} 결제에 실패했어요.",
                        ({ } plan, null) => $"{plan} 플랜의 결제에 실패했어요.",
                        _ => "구독 결제에 실패했어요.",
                    },
                    c["date"] is { } date ? $"{date}까지 결제 수단을 확인해 주세요. 그때까지 결제되지 않으면 무료 플랜으로 바뀌어요." : "결제 수단을 확인해 주세요. 결제되지 않으면 무료 플랜으로 바뀌어요."),
                "결제 수단 확인하기", c.Link("/billing")),
            c => new("Your payment failed", "Your payment failed",
                Lines(
                    (c["plan"], c.Money()) switch
                    {
                        ({ } plan, { } money) => $"We could not charge {money} for your {plan} plan.",
                        ({ } plan, null) => $"We could not charge the payment for your {plan} plan.",
                        _ => "We could not charge the payment for your subscription.",
                    },
                    c["date"] is { } date ? $"Please update your payment method by {date}; after that your account moves to the Free plan." : "Please update your payment method, or your account moves to the Free plan."),
                "Update payment method", c.Link("/billing"))),

        [EmailKinds.ExportReady] = new(
            c => new("데이터 내보내기가 준비되었어요", "데이터 내보내기가 준비되었어요",
                Lines(
                    "요청하신 Pingvas Studio 계정 데이터(계정 정보, 작업, 크레딧 내역, 이미지와 그 정보)를 ZIP 파일로 만들었어요.",
                    c["date"] is { } date ? $"아래 링크는 {date}까지 쓸 수 있어요. 그 뒤에는 파일이 삭제돼요." : "아래 링크는 7일 동안 쓸 수 있어요. 그 뒤에는 파일이 삭제돼요.",
                    "링크를 가진 사람은 누구나 파일을 받을 수 있으니 다른 사람과 공유하지 마세요."),
                "ZIP 파일 받기", ExportLink(c)),
            c => new("Your data export is ready", "Your data export is ready",
                Lines(
                    "The ZIP file with your Pingvas Studio data (account, jobs, credit history, images and their details) is ready.",
                    c["date"] is { } date ? $"The link below works until {date}; after that the file is deleted." : "The link below works for 7 days; after that the file is deleted.",
                    "Anyone with the link can download the file, so do not share it."),
                "Download the ZIP file", ExportLink(c))),

        [EmailKinds.BatchFinished] = new(
            c => new("이미지 생성이 끝났어요", "이미지 생성이 끝났어요",
                Lines(
                    c["count"] is { } count ? $"요청하신 이미지 {count}장이 모두 만들어졌어요." : "요청하신 이미지가 모두 만들어졌어요.",
                    c["prompt"] is { } prompt ? $"프롬프트: {prompt}" : null,
                    "이 알림은 계정 설정에서 끌 수 있어요."),
                "갤러리 보기", c.Link("/gallery")),
            c => new("Your images are ready", "Your images are ready",
                Lines(
                    c["count"] is { } count ? $"All {count} images you asked for are ready." : "The images you asked for are ready.",
                    c["prompt"] is { } prompt ? $"Prompt: {prompt}" : null,
                    "You can turn this email off in your account settings."),
                "Open my gallery", c.Link("/gallery"))),

        [EmailKinds.JobFailed] = new(
            c => new("이미지 생성에 실패했어요", "이미지 생성에 실패했어요",
                Lines(
                    c["prompt"] is { } prompt ? $"다음 프롬프트의 생성이 실패했어요: {prompt}" : "생성 작업 하나가 실패했어요.",
                    c["reason"] is { } reason ? $"사유: {reason}" : null,
                    "사용하려던 크레딧은 돌려드렸어요. 이 알림은 계정 설정에서 끌 수 있어요."),
                "생성 기록 보기", c.Link("/generate")),
            c => new("A generation failed", "A generation failed",
                Lines(
                    c["prompt"] is { } prompt ? $"The generation of this prompt failed: {prompt}" : "One of your generations failed.",
                    c["reason"] is { } reason ? $"Reason: {reason}" : null,
                    "The credits it held were given back. You can turn this email off in your account settings."),
                "See my generations", c.Link("/generate"))),

        [EmailKinds.WebhookDisabled] = new(
            c => new("웹훅 엔드포인트를 껐어요", "웹훅 엔드포인트를 껐어요",
                Lines(
                    c["url"] is { } url ? $"{url}(으)로 보낸 웹훅이 3일 동안 한 번도 전달되지 않아서 이 엔드포인트를 껐어요." : "웹훅이 3일 동안 한 번도 전달되지 않아서 엔드포인트를 껐어요.",
                    "엔드포인트를 고친 뒤 개발자 설정에서 다시 켜 주세요. 전달 기록에서 실패한 이벤트를 다시 보낼 수 있어요."),
                "웹훅 설정 열기", c.Link("/developer/webhooks")),
            c => new("We turned off a webhook endpoint", "We turned off a webhook endpoint",
                Lines(
                    c["url"] is { } url ? $"Webhooks sent to {url} have failed for 3 days without a single success, so we turned the endpoint off." : "Webhooks to one of your endpoints have failed for 3 days without a single success, so we turned it off.",
                    "Fix the endpoint, then turn it back on in the developer settings; the delivery log can send the failed events again."),
                "Open webhook settings", c.Link("/developer/webhooks"))),
    };

    /// <summary>export_ready's signed download link (data <c>url</c>); the account page, which shows it too, when it is missing.</summary>
    private static Uri ExportLink(TemplateContext c) =>
        c["url"] is { } url && Uri.TryCreate(url, UriKind.Absolute, out var link) ? link : c.Link("/account");

    /// <summary>The sentences that could be written (null: a data key it needs is missing).</summary>
    private static List<string> Lines(params string?[] lines) => [.. lines.OfType<string>()];

    private static string? KoInterval(TemplateContext c) => c["interval"] switch
    {
        "monthly" => "매월",
        "annual" => "매년",
        _ => null,
    };

    private static string? EnInterval(TemplateContext c) => c["interval"] switch
    {
        "monthly" => "monthly",
        "annual" => "yearly",
        _ => null,
    };
}
