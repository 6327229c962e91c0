output "bucket_name" {
  value = aws_s3_bucket.objects.bucket
}

output "bucket_arn" {
  value = aws_s3_bucket.objects.arn
}

output "kms_key_arn" {
  description = "Key the server's role must be allowed to use (GenerateDataKey on write, Decrypt on read/presign)."
  value       = aws_kms_key.objects.arn
}

output "cloudfront_domain_name" {
  value = aws_cloudfront_distribution.objects.domain_name
}

output "cloudfront_distribution_id" {
  value = aws_cloudfront_distribution.objects.id
}

output "cloudfront_distribution_arn" {
  value = aws_cloudfront_distribution.objects.arn
}

output "cloudfront_key_pair_id" {
  description = "Key-Pair-Id that signed URLs name (the id of the public key in the trusted key group)."
  value       = aws_cloudfront_public_key.signing.id
}

output "cloudfront_key_group_id" {
  value = aws_cloudfront_key_group.signing.id
}
