# prod: three zones with a NAT gateway each, interface endpoints for image pulls, STS, Secrets Manager
# and logs; a Multi-AZ database with deletion protection and two weeks of backups; L4 and A10G Spot
# node groups that scale from zero.

module "platform" {
  source      = "../../modules/platform"
  environment = "prod"
  name        = "pingvas-prod"

  vpc_cidr            = "10.50.0.0/16"
  az_count            = 3
  single_nat_gateway  = false
  interface_endpoints = ["ecr.api", "ecr.dkr", "sts", "secretsmanager", "logs"]

  kubernetes_version   = "1.33"
  api_public_cidrs     = var.api_public_cidrs
  admin_principal_arns = var.admin_principal_arns

  system_node_group = {
    instance_types = ["m7i.xlarge", "m6i.xlarge"]
    min_size       = 3
    max_size       = 8
    desired_size   = 3
    disk_size_gb   = 80
  }

  # Several instance types per class: Spot capacity is found in more pools, fewer interruptions.
  gpu_node_groups = {
    l4 = {
      instance_types = ["g6.xlarge", "g6.2xlarge", "g6.4xlarge"]
      max_size       = 20
      disk_size_gb   = 200
    }
    a10g = {
      instance_types = ["g5.xlarge", "g5.2xlarge", "g5.4xlarge"]
      max_size       = 10
      disk_size_gb   = 200
    }
  }

  db_instance_class           = "db.m7g.large"
  db_allocated_storage_gb     = 100
  db_max_allocated_storage_gb = 1000
  db_multi_az                 = true
  db_deletion_protection      = true
  db_backup_retention_days    = 14
  db_max_connections          = 800

  bucket_name                = var.bucket_name
  bucket_force_destroy       = false
  cloudfront_public_key_pem  = var.cloudfront_public_key_pem
  cloudfront_aliases         = var.cloudfront_aliases
  cloudfront_certificate_arn = var.cloudfront_certificate_arn

  secret_recovery_window_days = 30
}
