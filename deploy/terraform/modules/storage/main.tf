# The object bucket: private (all four public-access blocks, ACLs disabled, TLS-only policy), SSE-KMS
# with a customer-managed key and S3 Bucket Keys, versioned, with a lifecycle that moves objects to a
# cheaper class after 90 days and removes old versions. Browsers read images through CloudFront with
# Origin Access Control (only this distribution may read the bucket) and signed URLs (the trusted
# key group); the server writes and presigns through its IRSA role.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_s3_bucket" "objects" {
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "objects" {
  bucket                  = aws_s3_bucket.objects.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ACLs off: the bucket owner owns every object, and no ACL can grant access.
resource "aws_s3_bucket_ownership_controls" "objects" {
  bucket = aws_s3_bucket.objects.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_kms_key" "objects" {
  description             = "${var.bucket_name}: S3 objects (SSE-KMS)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = var.tags
}

resource "aws_kms_alias" "objects" {
  name          = "alias/${var.bucket_name}"
  target_key_id = aws_kms_key.objects.key_id
}

# The account administers the key (IAM policies, e.g. the server's IRSA role, grant its use);
# CloudFront may decrypt only for this distribution (OAC reads SSE-KMS objects).
data "aws_iam_policy_document" "kms" {
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudFrontDecryptsForThisDistribution"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.objects.arn]
    }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "objects" {
  bucket = aws_s3_bucket.objects.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.objects.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "objects" {
  bucket = aws_s3_bucket.objects.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "objects" {
  bucket     = aws_s3_bucket.objects.id
  depends_on = [aws_s3_bucket_versioning.objects]

  rule {
    id     = "cheaper-after-${var.transition_days}-days"
    status = "Enabled"
    filter {}
    transition {
      days          = var.transition_days
      storage_class = var.transition_storage_class
    }
  }

  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_expiration_days
    }
    expiration {
      expired_object_delete_marker = true
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.objects.arn, "${aws_s3_bucket.objects.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "CloudFrontReadsThroughOAC"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.objects.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.objects.arn]
    }
  }
}

resource "aws_s3_bucket_policy" "objects" {
  bucket     = aws_s3_bucket.objects.id
  policy     = data.aws_iam_policy_document.bucket.json
  depends_on = [aws_s3_bucket_public_access_block.objects]
}

# --- CloudFront -------------------------------------------------------------------------------

resource "aws_cloudfront_origin_access_control" "objects" {
  name                              = var.bucket_name
  description                       = "Pingvas objects bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_public_key" "signing" {
  name_prefix = "${var.bucket_name}-"
  comment     = "Verifies Pingvas' signed image URLs; the private key is in Secrets Manager"
  encoded_key = var.cloudfront_public_key_pem

  lifecycle {
    # A new key is added next to the old one during rotation: see docs/operations.md.
    create_before_destroy = true
  }
}

resource "aws_cloudfront_key_group" "signing" {
  name    = "${var.bucket_name}-signing"
  comment = "Keys trusted for signed URLs"
  items   = [aws_cloudfront_public_key.signing.id]
}

data "aws_cloudfront_cache_policy" "optimized" {
  name = "Managed-CachingOptimized"
}

resource "aws_cloudfront_distribution" "objects" {
  enabled         = true
  comment         = "Pingvas images (${var.bucket_name})"
  is_ipv6_enabled = true
  http_version    = "http2and3"
  price_class     = var.cloudfront_price_class
  aliases         = var.cloudfront_aliases

  origin {
    origin_id                = "s3-objects"
    domain_name              = aws_s3_bucket.objects.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.objects.id
  }

  default_cache_behavior {
    target_origin_id       = "s3-objects"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    compress               = false
    cache_policy_id        = data.aws_cloudfront_cache_policy.optimized.id
    # Every request must carry a valid signature of a key in this group: no public objects.
    trusted_key_groups = [aws_cloudfront_key_group.signing.id]
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = length(var.cloudfront_aliases) == 0
    acm_certificate_arn            = length(var.cloudfront_aliases) > 0 ? var.cloudfront_certificate_arn : null
    ssl_support_method             = length(var.cloudfront_aliases) > 0 ? "sni-only" : null
    minimum_protocol_version       = length(var.cloudfront_aliases) > 0 ? "TLSv1.2_2021" : "TLSv1"
  }

  tags = var.tags
}
