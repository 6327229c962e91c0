terraform {
  required_version = ">= 1.10.0"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.82.0, < 6.0.0" }
    tls = { source = "hashicorp/tls", version = ">= 4.0.0, < 5.0.0" }
  }
}
