"""The third-party supervisor pool (第三方监督员资源库): persons and agencies, their record, and the panels
drawn from it."""
