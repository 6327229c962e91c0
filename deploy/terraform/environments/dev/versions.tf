terraform {
  # 1.10+: the S3 backend locks state with a lock file in the bucket itself (no DynamoDB table).
  required_version = ">= 1.10.0, < 2.0.0"

  # Exact provider versions: an upgrade is a reviewed change of this line (and of .terraform.lock.hcl).
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
    tls = { source = "hashicorp/tls", version = "4.1.0" }
  }

  # Remote state in a versioned, encrypted S3 bucket created once by hand (docs/operations.md).
  # The bucket and region are given at init: terraform init -backend-config="bucket=<state bucket>" -backend-config="region=us-east-1"
  backend "s3" {
    key          = "pingvas/dev/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
